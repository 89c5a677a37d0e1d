/**
 * What the server needs to reach this cluster's API server through the tunnel: its address as the agent
 * dials it, the CA its certificate chains to, and the token of the ServiceAccount shipyard-agent (whose RBAC
 * is packages/api's agentAccessObjects). Out of a cluster the agent sets that up itself with an admin
 * kubeconfig; in a cluster the manifest did, and the agent reads it with its own ServiceAccount.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { AGENT_TOKEN_SECRET, agentAccessObjects } from '@shipyard/api';
import {
  endpointOfUrl,
  formatEndpoint,
  inClusterEndpoint,
  loadKubeconfig,
  type Endpoint,
} from './api-server-endpoint.js';
import { AgentError } from './errors.js';
import { applyObjects, readSecret } from './kube.js';

export interface ClusterAccess {
  apiServer: Endpoint;
  /** Base64 of the PEM CA bundle of the API server. */
  caData: string;
  serviceAccountToken: string;
}

export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';
const TOKEN_WAIT_MS = 30_000;

/**
 * With an admin kubeconfig: applies the access objects into `namespace` (idempotent), waits for the token
 * controller to fill the token Secret, and takes CA and address from the kubeconfig's current cluster.
 */
export async function kubeconfigAccess(opts: {
  kubeconfig: string;
  namespace: string;
  tokenWaitMs?: number;
}): Promise<ClusterAccess> {
  const kc = await loadKubeconfig(opts.kubeconfig);
  await applyObjects(kc, agentAccessObjects(opts.namespace));
  const serviceAccountToken = await waitForToken(kc, opts.namespace, opts.tokenWaitMs);
  return { ...(await kubeconfigCluster(kc, opts.kubeconfig)), serviceAccountToken };
}

/** Address and CA (data, or a file relative to the kubeconfig) of a kubeconfig's current cluster. */
export async function kubeconfigCluster(
  kc: KubeConfig,
  file: string,
): Promise<{ apiServer: Endpoint; caData: string }> {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new AgentError(`kubeconfig ${file} has no current cluster`);
  const apiServer = endpointOfUrl(cluster.server);
  if (cluster.caData) return { apiServer, caData: cluster.caData.trim() };
  if (cluster.caFile) {
    const caFile = path.resolve(path.dirname(file), cluster.caFile);
    return { apiServer, caData: (await readCaFile(caFile)).toString('base64') };
  }
  throw new AgentError(
    `kubeconfig ${file}: the cluster ${cluster.name} names no certificate-authority; the server needs the API server's CA`,
  );
}

/**
 * In a pod: the API server from KUBERNETES_SERVICE_HOST/PORT, its CA and the pod's token from the mounted
 * ServiceAccount, and the long-lived token from the Secret the manifest made.
 */
export async function inClusterAccess(opts: {
  env: NodeJS.ProcessEnv;
  namespace: string;
  serviceAccountDir?: string;
  tokenWaitMs?: number;
}): Promise<ClusterAccess> {
  const { kc, apiServer, caFile } = inClusterKubeConfig(opts.env, opts.serviceAccountDir);
  const caData = (await readCaFile(caFile)).toString('base64');
  const serviceAccountToken = await waitForToken(kc, opts.namespace, opts.tokenWaitMs);
  return { apiServer, caData, serviceAccountToken };
}

/** client-node's in-cluster configuration, but from the given environment and directory (tests run it out of a pod). */
export function inClusterKubeConfig(
  env: NodeJS.ProcessEnv,
  dir: string = SERVICE_ACCOUNT_DIR,
): { kc: KubeConfig; apiServer: Endpoint; caFile: string } {
  const apiServer = inClusterEndpoint(env);
  const caFile = path.join(dir, 'ca.crt');
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'in-cluster', server: `https://${formatEndpoint(apiServer)}`, caFile }],
    // Re-read on expiry: a projected token rotates.
    users: [
      {
        name: 'service-account',
        authProvider: { name: 'tokenFile', config: { tokenFile: path.join(dir, 'token') } },
      },
    ],
    contexts: [{ name: 'in-cluster', cluster: 'in-cluster', user: 'service-account' }],
    currentContext: 'in-cluster',
  });
  return { kc, apiServer, caFile };
}

async function readCaFile(file: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (e) {
    throw new AgentError(`cannot read the API server's CA ${file}: ${(e as Error).message}`);
  }
}

/** The token of the Secret shipyard-agent-token, once kube-controller-manager's token controller filled it. */
export async function waitForToken(
  kc: KubeConfig,
  namespace: string,
  timeoutMs: number = TOKEN_WAIT_MS,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  const where = `Secret ${namespace}/${AGENT_TOKEN_SECRET}`;
  for (;;) {
    const secret = await readSecret(kc, namespace, AGENT_TOKEN_SECRET);
    const token = secret?.data?.token;
    if (token) return Buffer.from(token, 'base64').toString('utf8');
    if (Date.now() >= deadline) {
      throw new AgentError(
        secret
          ? `the ${where} got no token within ${timeoutMs / 1000} s: kube-controller-manager fills it; is it running?`
          : `there is no ${where}: apply the agent manifest (it creates the ServiceAccount and its token)`,
      );
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}
