import type { V1Secret } from '@kubernetes/client-node';

/**
 * What an agent hands the server when it registers: where its API server is (as the agent reaches it), the CA
 * that signs the API server's certificate, and the token of the agent's ServiceAccount. The server keeps it in
 * a Secret `cluster-access-<cluster>` of its namespace and speaks to that API server through the tunnel with it.
 */
export type ClusterAccess = { host: string; port: number; ca: string; token: string };

export const accessLabel = 'shipyard.dev/cluster-access';

export function accessSecretName(cluster: string): string {
  return `cluster-access-${cluster}`;
}

export function accessSecret(namespace: string, cluster: string, a: ClusterAccess): V1Secret {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: accessSecretName(cluster), namespace, labels: { [accessLabel]: cluster } },
    type: 'shipyard.dev/cluster-access',
    stringData: { host: a.host, port: String(a.port), ca: a.ca, token: a.token },
  };
}

export function accessFromSecret(s: V1Secret): ClusterAccess | undefined {
  const d = s.data ?? {};
  const text = (k: string) => (d[k] === undefined ? undefined : Buffer.from(d[k], 'base64').toString('utf8'));
  const host = text('host');
  const port = Number(text('port'));
  const ca = text('ca');
  const token = text('token');
  if (!host || !Number.isInteger(port) || !ca || !token) return undefined;
  return { host, port, ca, token };
}
