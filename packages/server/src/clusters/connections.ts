import https from 'node:https';
import { KubeConfig, type V1Secret } from '@kubernetes/client-node';
import type { PlatformCache } from '../cache/platform-cache.js';
import { notFound, unavailable } from '../http/errors.js';
import type { Management } from '../kube/management.js';
import { kubeRequest } from '../runtime/kube-request.js';

/** How to reach one cluster's kube-apiserver: its URL and the TLS/auth options for node:https. */
export type ClusterEndpoint = { cluster: string; server: URL; options: https.RequestOptions };

type Cached = { resourceVersion: string; endpoint: ClusterEndpoint };

/**
 * Endpoints of the managed clusters. A direct cluster's kubeconfig is a Secret in the server's namespace
 * (spec.connection.kubeconfigSecret, key `kubeconfig`), parsed once per Secret version.
 */
export class ClusterConnections {
  private readonly parsed = new Map<string, Cached>();

  constructor(
    private readonly m: Management,
    private readonly cache: PlatformCache,
  ) {}

  async endpoint(cluster: string): Promise<ClusterEndpoint> {
    const obj = this.cache.get('Cluster', cluster);
    if (!obj) throw notFound(`cluster "${cluster}" not found`);
    const conn = obj.spec.connection;
    if (conn?.mode !== 'direct' || !conn.kubeconfigSecret) {
      throw unavailable(`cluster "${cluster}" has no direct connection and its agent is not connected`);
    }
    const secret = (await kubeRequest(this.m.kc, {
      path: `/api/v1/namespaces/${this.m.namespace}/secrets/${conn.kubeconfigSecret}`,
      timeoutMs: 5000,
    }).catch((err: unknown) => {
      throw unavailable(
        `cluster "${cluster}": its kubeconfig Secret cannot be read: ${(err as Error).message}`,
      );
    })) as V1Secret;
    const rv = secret.metadata?.resourceVersion ?? '';
    const hit = this.parsed.get(cluster);
    if (hit && hit.resourceVersion === rv) return hit.endpoint;
    const text = Buffer.from(secret.data?.kubeconfig ?? '', 'base64').toString('utf8');
    const endpoint = await toEndpoint(cluster, text);
    this.parsed.set(cluster, { resourceVersion: rv, endpoint });
    return endpoint;
  }
}

async function toEndpoint(cluster: string, kubeconfig: string): Promise<ClusterEndpoint> {
  const kc = new KubeConfig();
  try {
    kc.loadFromString(kubeconfig);
  } catch (err) {
    throw unavailable(`cluster "${cluster}": its kubeconfig does not parse: ${(err as Error).message}`);
  }
  const current = kc.getCurrentCluster();
  if (!current) throw unavailable(`cluster "${cluster}": its kubeconfig names no current cluster`);
  const options: https.RequestOptions = {};
  await kc.applyToHTTPSOptions(options);
  // One keep-alive agent per cluster: the proxy reuses connections to the apiserver.
  options.agent = new https.Agent({
    keepAlive: true,
    maxSockets: 256,
    ca: options.ca,
    cert: options.cert,
    key: options.key,
    rejectUnauthorized: options.rejectUnauthorized,
  });
  return { cluster, server: new URL(current.server), options };
}
