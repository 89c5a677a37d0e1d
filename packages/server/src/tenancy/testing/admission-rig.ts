/**
 * What the admission tests share: two server replicas in this process over the run's management cluster, two
 * Cluster objects without a connection (admission never needs to reach them), and helpers that read the
 * ledger as the management cluster has it. useAdmissionRig() sets it up for the calling file and removes what
 * it made; the replicas and clients are live bindings, set once its beforeAll has run.
 */
import { kinds, type Partition, type Tenant } from '@shipyard/api';
import { afterAll, beforeAll, expect, inject } from 'vitest';
import { ApiError } from '../../http/errors.js';
import { kindPath, management, PlatformObjects, type Management } from '../../kube/management.js';
import { KubeApiError } from '../../runtime/kube-errors.js';
import { kubeRequest } from '../../runtime/kube-request.js';
import {
  ApiClient,
  eventually,
  startTestServer,
  testAdminPassword,
  type Reply,
  type TestServer,
} from '../../testing/server.js';

export const run = Date.now().toString(36);
export const n = (s: string) => `adm-${s}-${run}`;
export const qa = n('qa');
export const prod = n('prod');
export const password = 'admission-test-password';

export let a: TestServer;
export let b: TestServer;
export let adminA: ApiClient;
export let adminB: ApiClient;
export let m: Management;
export let kube: PlatformObjects;
export const made: { plural: string; name: string }[] = [];

export type Err = { code: number; reason: string; message: string; field?: string };

export async function post(c: ApiClient, plural: string, name: string, spec: unknown, metadata: object = {}) {
  made.push({ plural, name });
  return c.post<Err>(`/api/v1/${plural}`, { metadata: { name, ...metadata }, spec });
}

export async function tenant(name: string, clusters: unknown[]): Promise<void> {
  const r = await post(adminA, 'tenants', name, { clusters });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
}

export const partition = (
  name: string,
  tenantName: string,
  hard: Record<string, string>,
  more: object = {},
) => post(adminA, 'partitions', name, { tenant: tenantName, cluster: qa, hard, ...more });

/** The Tenant as the management cluster has it (not a cache). */
export const stored = async (name: string): Promise<Tenant> => kube.get('Tenant', name);
export const reservations = async (name: string) =>
  Object.keys((await stored(name)).status?.reservations ?? {}).sort();
export const allocated = async (name: string, cluster = qa) =>
  (await stored(name)).status?.clusters?.find((c) => c.cluster === cluster)?.allocated;

/** The tenant's partitions in the management cluster, but those being deleted (held by the partition controller's finalizer until their namespace is gone; these clusters never answer). */
export async function partitionsOf(name: string): Promise<Partition[]> {
  const all = await kube.list('Partition');
  return all.filter((p) => p.spec.tenant === name && !p.metadata.deletionTimestamp);
}

/** Waits until both replicas' caches have the object. */
export async function cachedEverywhere(plural: string, name: string): Promise<void> {
  for (const c of [adminA, adminB]) {
    await eventually(`${plural}/${name} cached`, async () =>
      (await c.get(`/api/v1/${plural}/${name}`)).status === 200 ? true : undefined,
    );
  }
}

export const statuses = (replies: Reply[]) => replies.map((r) => r.status).sort();

/** Registers the rig's setup and teardown in the calling test file. */
export function useAdmissionRig(): void {
  beforeAll(async () => {
    const kubeconfig = inject('kubeconfig');
    m = management({ kubeconfig, namespace: 'shipyard-system' });
    kube = new PlatformObjects(m);
    [a, b] = await Promise.all([startTestServer(kubeconfig), startTestServer(kubeconfig)]);
    adminA = await ApiClient.signedIn(a.url, 'admin', testAdminPassword);
    adminB = await ApiClient.signedIn(b.url, 'admin', testAdminPassword);
    expect((await post(adminA, 'clusters', qa, { l4PortPool: '20000-29999' })).status).toBe(201);
    expect((await post(adminA, 'clusters', prod, {})).status).toBe(201);
    await cachedEverywhere('clusters', qa);
    await cachedEverywhere('clusters', prod);
  });

  afterAll(async () => {
    await a?.close();
    await b?.close();
    // Straight from the management cluster, dependents first; absent is fine.
    const order = ['roletemplatebindings', 'users', 'roletemplates', 'partitions', 'tenants', 'clusters'];
    for (const plural of order) {
      const d = Object.values(kinds).find((k) => k.plural === plural);
      if (!d) continue;
      for (const f of made.filter((m) => m.plural === plural)) {
        await kube?.delete(d, f.name).catch((err: unknown) => {
          if (!(err instanceof ApiError && err.status === 404)) throw err;
        });
        // The servers are gone: nobody will take the partition controller's finalizer off but us.
        if (plural === 'partitions' && m) {
          await kubeRequest(m.kc, {
            method: 'PATCH',
            path: kindPath(d, f.name),
            body: { metadata: { finalizers: null } },
            contentType: 'application/merge-patch+json',
          }).catch((err: unknown) => {
            if (!(err instanceof KubeApiError && err.status === 404)) throw err;
          });
        }
      }
    }
  });
}
