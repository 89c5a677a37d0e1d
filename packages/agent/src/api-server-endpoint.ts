/**
 * Where the agent's API server is: the one address it dials for the tunnel. In a cluster it comes from
 * KUBERNETES_SERVICE_HOST/PORT (set in every pod); out of a cluster from a kubeconfig's current cluster.
 */
import { isIPv6 } from 'node:net';
import type { KubeConfig } from '@kubernetes/client-node';
import { AgentError } from './errors.js';

export interface Endpoint {
  host: string;
  port: number;
}

export function formatEndpoint(e: Endpoint): string {
  return isIPv6(e.host) ? `[${e.host}]:${e.port}` : `${e.host}:${e.port}`;
}

/** host:port of an https:// API server URL (port 443 when absent). */
export function endpointOfUrl(server: string): Endpoint {
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    throw new AgentError(`the API server address "${server}" is not a URL`);
  }
  if (url.protocol !== 'https:') {
    throw new AgentError(`the API server address must be https://, not "${server}"`);
  }
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  return { host, port: url.port === '' ? 443 : Number(url.port) };
}

/** The API server of the pod's own cluster. */
export function inClusterEndpoint(env: NodeJS.ProcessEnv = process.env): Endpoint {
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = Number(env.KUBERNETES_SERVICE_PORT ?? '443');
  if (!host) {
    throw new AgentError('not running in a cluster (no KUBERNETES_SERVICE_HOST): give --kubeconfig FILE');
  }
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new AgentError(`KUBERNETES_SERVICE_PORT is not a port: "${env.KUBERNETES_SERVICE_PORT}"`);
  }
  return { host, port };
}

/** A kubeconfig file, loaded by client-node (loaded only when asked: an agent in a cluster never needs it). */
export async function loadKubeconfig(file: string): Promise<KubeConfig> {
  const { KubeConfig } = await import('@kubernetes/client-node');
  const kc = new KubeConfig();
  try {
    kc.loadFromFile(file);
  } catch (err) {
    throw new AgentError(
      `cannot read kubeconfig ${file}: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  if (!kc.getCurrentCluster()) throw new AgentError(`kubeconfig ${file} has no current cluster`);
  return kc;
}

/** The API server of the current cluster of a kubeconfig file. */
export async function kubeconfigEndpoint(file: string): Promise<Endpoint> {
  const cluster = (await loadKubeconfig(file)).getCurrentCluster();
  if (!cluster) throw new AgentError(`kubeconfig ${file} has no current cluster`);
  return endpointOfUrl(cluster.server);
}
