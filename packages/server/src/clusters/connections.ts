import type https from 'node:https';
import { KubeConfig, type V1Secret } from '@kubernetes/client-node';
import type { PlatformCache } from '../cache/platform-cache.js';
import { notFound, unavailable, type ApiError } from '../http/errors.js';
import { kubeRequest, type KubeRequest } from '../runtime/kube-request.js';
import type { TunnelDialer } from '../tunnel/dialer.js';
import { accessFromSecret, accessSecretName } from './cluster-access.js';
import { ClusterHealth } from './cluster-health.js';
import { GuardedAgent, GuardedTunnelAgent, type GuardedPool } from './guarded-agents.js';
import { PooledKubeConfig } from './pooled-kubeconfig.js';

/**
 * How to reach one cluster's kube-apiserver: its URL, request options carrying the pool and credentials, and
 * the pool itself (its health, its idle connections).
 */
export type ClusterEndpoint = {
  cluster: string;
  server: URL;
  options: https.RequestOptions;
  pool: GuardedPool;
};

type Connection = { version: string; kc: PooledKubeConfig; endpoint: ClusterEndpoint };

/**
 * No cap on a pool's connections: each open watch or log stream through the proxy holds one for as long as it
 * runs, and a cap would make every other request to the cluster wait behind them. A tunnel bounds its own
 * streams (MAX_CONCURRENT_STREAMS); idle connections beyond maxFreeSockets are closed.
 */
const maxSockets = Infinity;
const maxFreeSockets = 64;

/**
 * The server's way into each managed cluster, with the server's own identity there (the proxy then adds
 * Impersonate-* headers). A direct cluster's kubeconfig is a Secret named by spec.connection.kubeconfigSecret
 * (key `kubeconfig`); an agent's cluster is reached through its tunnel with what the agent registered
 * (Secret cluster-access-<cluster>). Both Secrets come from the cache; each is parsed once per version, and
 * each cluster keeps one connection pool.
 */
export class ClusterConnections {
  private readonly connections = new Map<string, Connection>();

  constructor(
    private readonly cache: PlatformCache,
    private readonly dialer: TunnelDialer,
  ) {}

  /**
   * Where and how to send a request to the cluster; throws 404 (unknown cluster) or 503 (not reachable, or
   * marked unresponsive a moment ago: see ClusterHealth).
   */
  async endpoint(cluster: string): Promise<ClusterEndpoint> {
    const { endpoint } = await this.connection(cluster);
    const down = endpoint.pool.health.admit();
    if (down) throw down;
    return endpoint;
  }

  /** The 503 to answer at once while the cluster's API server does not take connections (ClusterHealth). */
  unresponsive(cluster: string): ApiError | undefined {
    return this.connections.get(cluster)?.endpoint.pool.health.refusal();
  }

  /** The cluster answered a request (its health then says so at once). */
  answered(cluster: string): void {
    this.connections.get(cluster)?.endpoint.pool.health.up();
  }

  /** A KubeConfig for the cluster (client-node APIs, informers, kubeRequest), as the server's identity there. */
  async kubeConfig(cluster: string): Promise<PooledKubeConfig> {
    return (await this.connection(cluster)).kc;
  }

  /** One JSON request to the cluster's API (see kubeRequest). */
  async request(cluster: string, req: KubeRequest): Promise<unknown> {
    return kubeRequest(await this.kubeConfig(cluster), req);
  }

  /**
   * Whether the cluster has a way in at all: a kubeconfig Secret, or an agent that registered. When it has
   * none, nothing can ever have been made there (controllers need not wait to clean it up).
   */
  hasConnection(cluster: string): boolean {
    const name = this.secretName(cluster);
    return name !== undefined && this.cache.secret(name) !== undefined;
  }

  private secretName(cluster: string): string | undefined {
    const conn = this.cache.get('Cluster', cluster)?.spec.connection;
    if (conn?.mode === 'direct') return conn.kubeconfigSecret;
    return conn?.mode === 'agent' ? accessSecretName(cluster) : undefined;
  }

  /** Drops a cluster's pool (it was deleted). */
  forget(cluster: string): void {
    this.connections.get(cluster)?.kc.pool.destroy();
    this.connections.delete(cluster);
  }

  close(): void {
    for (const cluster of [...this.connections.keys()]) this.forget(cluster);
  }

  private async connection(cluster: string): Promise<Connection> {
    const obj = this.cache.get('Cluster', cluster);
    if (!obj) throw notFound(`cluster "${cluster}" not found`);
    const conn = obj.spec.connection;
    const secretName = this.secretName(cluster);
    if (!secretName)
      throw unavailable(`cluster "${cluster}" has no connection: register its agent or give a kubeconfig`);
    const secret = this.cache.secret(secretName);
    if (!secret) {
      throw unavailable(
        conn?.mode === 'agent'
          ? `cluster "${cluster}": no agent has registered yet`
          : `cluster "${cluster}": its kubeconfig Secret "${secretName}" does not exist`,
      );
    }
    const version = `${conn?.mode}/${secret.metadata?.uid}/${secret.metadata?.resourceVersion}`;
    const hit = this.connections.get(cluster);
    if (hit?.version === version) return hit;
    const built =
      conn?.mode === 'agent' ? this.viaAgent(cluster, secret) : await viaKubeconfig(cluster, secret);
    const endpoint = await endpointOf(cluster, built);
    const now = this.connections.get(cluster);
    if (now?.version === version) {
      built.pool.destroy(); // a concurrent request built it first
      return now;
    }
    now?.kc.pool.destroy();
    const fresh = { version, kc: built, endpoint };
    this.connections.set(cluster, fresh);
    return fresh;
  }

  private viaAgent(cluster: string, secret: V1Secret): PooledKubeConfig {
    const access = accessFromSecret(secret);
    if (!access)
      throw unavailable(`cluster "${cluster}": what its agent registered is incomplete; register it again`);
    const host = access.host.includes(':') ? `[${access.host}]` : access.host;
    const kc = new PooledKubeConfig(
      new GuardedTunnelAgent(new ClusterHealth(cluster), {
        hub: this.dialer,
        cluster,
        ca: access.ca,
        keepAlive: true,
        maxSockets,
        maxFreeSockets,
      }),
    );
    kc.loadFromOptions({
      clusters: [{ name: cluster, server: `https://${host}:${access.port}`, caData: b64(access.ca) }],
      users: [{ name: 'shipyard', token: access.token }],
      contexts: [{ name: cluster, cluster, user: 'shipyard' }],
      currentContext: cluster,
    });
    return kc;
  }
}

/**
 * A kubeconfig's cluster: parsed once to learn its TLS options (CA, client certificate), which go into the pool,
 * since requests through the pool carry none of their own.
 */
async function viaKubeconfig(cluster: string, secret: V1Secret): Promise<PooledKubeConfig> {
  const text = Buffer.from(secret.data?.kubeconfig ?? '', 'base64').toString('utf8');
  const probe = new KubeConfig();
  try {
    probe.loadFromString(text);
  } catch (err) {
    throw unavailable(`cluster "${cluster}": its kubeconfig does not parse: ${(err as Error).message}`);
  }
  if (!probe.getCurrentCluster()) {
    throw unavailable(`cluster "${cluster}": its kubeconfig names no current cluster`);
  }
  const tls: https.RequestOptions = {};
  await probe.applyToHTTPSOptions(tls);
  const kc = new PooledKubeConfig(
    new GuardedAgent(new ClusterHealth(cluster), {
      keepAlive: true,
      maxSockets,
      maxFreeSockets,
      ca: tls.ca,
      cert: tls.cert,
      key: tls.key,
      servername: tls.servername,
      rejectUnauthorized: tls.rejectUnauthorized,
    }),
  );
  kc.loadFromString(text);
  return kc;
}

/** The request options of the server's identity in the cluster: the pool, and a bearer token if it uses one. */
async function endpointOf(cluster: string, kc: PooledKubeConfig): Promise<ClusterEndpoint> {
  const options: https.RequestOptions = {};
  await kc.applyToHTTPSOptions(options);
  const server = new URL(kc.getCurrentCluster()?.server ?? '');
  return { cluster, server, options: { agent: kc.pool, headers: options.headers }, pool: kc.pool };
}

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
