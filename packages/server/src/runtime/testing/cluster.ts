/** Helpers for integration tests against the run's local cluster. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { kubeRequest } from '../kube-request.js';

export function loadKubeConfig(file: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(file);
  return kc;
}

/** A copy of `kc` whose requests impersonate `user` (the kubeconfig `as:` field → Impersonate-User). */
export function impersonating(kc: KubeConfig, user: string): KubeConfig {
  const copy = new KubeConfig();
  copy.loadFromString(kc.exportConfig());
  const current = copy.getCurrentUser()?.name;
  copy.users = copy.users.map((u) => (u.name === current ? { ...u, impersonateUser: user } : u));
  return copy;
}

export async function createNamespace(kc: KubeConfig, name: string): Promise<void> {
  await kubeRequest(kc, { method: 'POST', path: '/api/v1/namespaces', body: { metadata: { name } } });
}

export async function deleteNamespace(kc: KubeConfig, name: string): Promise<void> {
  await kubeRequest(kc, { method: 'DELETE', path: `/api/v1/namespaces/${name}` });
}

/**
 * Compacts the local cluster's etcd at its current revision, as kube-apiserver does every 5 minutes:
 * history before it is gone, and a watch from an older resourceVersion that reaches etcd gets 410.
 * kwokctl runs etcd on plain HTTP on 127.0.0.1 (port in the cluster's kwok.yaml); its gRPC gateway
 * takes the request. Returns the revision.
 */
export async function compactEtcd(kubeconfigPath: string): Promise<string> {
  const kwok = readFileSync(path.join(path.dirname(kubeconfigPath), 'kwok.yaml'), 'utf8');
  const port = /etcdPort: (\d+)/.exec(kwok)?.[1];
  if (!port) throw new Error('no etcdPort in kwok.yaml');
  const etcd = `http://127.0.0.1:${port}/v3/kv`;
  const key = Buffer.from('/registry/').toString('base64');
  const range = await fetch(`${etcd}/range`, { method: 'POST', body: JSON.stringify({ key, limit: 1 }) });
  const body: unknown = await range.json();
  const revision =
    typeof body === 'object' && body !== null && 'header' in body
      ? (body.header as { revision?: string }).revision
      : undefined;
  if (!revision) throw new Error(`etcd range gave no revision: ${JSON.stringify(body)}`);
  const res = await fetch(`${etcd}/compaction`, {
    method: 'POST',
    body: JSON.stringify({ revision, physical: true }),
  });
  if (!res.ok) throw new Error(`etcd compaction: ${res.status} ${await res.text()}`);
  return revision;
}

export async function eventually<T>(
  what: string,
  check: () => T | undefined | false,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const v = check();
    if (v !== undefined && v !== false) return v;
    if (performance.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
