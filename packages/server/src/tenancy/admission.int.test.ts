// Tenant quota admission through the real API over the run's management cluster, with two server replicas
// in this process: partitions never oversubscribe their tenant, even when requests race on one replica or
// across both; resizes and tenant changes are re-checked; deletes leave nothing behind; bad input is refused
// with the field. Clusters are Cluster objects without a connection: admission never needs to reach them.
import { kinds, type Partition, type Tenant } from '@shipyard/api';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ApiError } from '../http/errors.js';
import { kindPath, management, PlatformObjects, type Management } from '../kube/management.js';
import { KubeApiError } from '../runtime/kube-errors.js';
import { kubeRequest } from '../runtime/kube-request.js';
import {
  ApiClient,
  eventually,
  startTestServer,
  testAdminPassword,
  type Reply,
  type TestServer,
} from '../testing/server.js';

const run = Date.now().toString(36);
const n = (s: string) => `adm-${s}-${run}`;
const qa = n('qa');
const prod = n('prod');
const password = 'admission-test-password';

let a: TestServer;
let b: TestServer;
let adminA: ApiClient;
let adminB: ApiClient;
let m: Management;
let kube: PlatformObjects;
const made: { plural: string; name: string }[] = [];

type Err = { code: number; reason: string; message: string; field?: string };

async function post(c: ApiClient, plural: string, name: string, spec: unknown, metadata: object = {}) {
  made.push({ plural, name });
  return c.post<Err>(`/api/v1/${plural}`, { metadata: { name, ...metadata }, spec });
}

async function tenant(name: string, clusters: unknown[]): Promise<void> {
  const r = await post(adminA, 'tenants', name, { clusters });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
}

const partition = (name: string, tenantName: string, hard: Record<string, string>, more: object = {}) =>
  post(adminA, 'partitions', name, { tenant: tenantName, cluster: qa, hard, ...more });

/** The Tenant as the management cluster has it (not a cache). */
const stored = async (name: string) => (await kube.get(kinds.Tenant, name)) as unknown as Tenant;
const reservations = async (name: string) =>
  Object.keys((await stored(name)).status?.reservations ?? {}).sort();
const allocated = async (name: string, cluster = qa) =>
  (await stored(name)).status?.clusters?.find((c) => c.cluster === cluster)?.allocated;

/** The tenant's partitions in the management cluster, but those being deleted (held by the partition controller's finalizer until their namespace is gone; these clusters never answer). */
async function partitionsOf(name: string): Promise<Partition[]> {
  const all = (await kube.list(kinds.Partition)) as unknown as Partition[];
  return all.filter((p) => p.spec.tenant === name && !p.metadata.deletionTimestamp);
}

/** Waits until both replicas' caches have the object. */
async function cachedEverywhere(plural: string, name: string): Promise<void> {
  for (const c of [adminA, adminB]) {
    await eventually(`${plural}/${name} cached`, async () =>
      (await c.get(`/api/v1/${plural}/${name}`)).status === 200 ? true : undefined,
    );
  }
}

const statuses = (replies: Reply[]) => replies.map((r) => r.status).sort();

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

describe('partition admission', () => {
  const t = n('t1');
  const cpu4 = { 'requests.cpu': '4', 'requests.memory': '8Gi', pods: '10' };

  beforeAll(async () => {
    await tenant(t, [
      { cluster: qa, hard: cpu4 },
      { cluster: prod, hard: { 'requests.cpu': '1' } },
    ]);
  });

  it('refuses to oversubscribe the tenant, with the numbers, and shows what is allocated', async () => {
    expect((await partition(n('p1'), t, { 'requests.cpu': '2', 'requests.memory': '3Gi' })).status).toBe(201);
    const over = await partition(n('p2'), t, { 'requests.cpu': '3', 'requests.memory': '1536Mi' });
    expect(over.status).toBe(409);
    expect(over.body).toEqual({
      code: 409,
      reason: 'Conflict',
      field: 'spec.hard["requests.cpu"]',
      message: `requests.cpu 3 exceeds tenant remaining 2 on cluster ${qa}`,
    });
    expect(await reservations(t)).toEqual([n('p1')]);
    expect(await allocated(t)).toEqual({ pods: '0', 'requests.cpu': '2', 'requests.memory': '3Gi' });
    // What is left fits exactly, in any notation.
    expect(
      (await partition(n('p3'), t, { 'requests.cpu': '2000m', 'requests.memory': '5120Mi' })).status,
    ).toBe(201);
    expect(await allocated(t)).toEqual({ pods: '0', 'requests.cpu': '4', 'requests.memory': '8Gi' });
    expect((await partition(n('p4'), t, { 'requests.cpu': '1m' })).body.message).toBe(
      `requests.cpu 1m exceeds tenant remaining 0 on cluster ${qa}`,
    );
  });

  it('answers 422 naming the field for bad quantities, unknown clusters and keys, and no quota there', async () => {
    for (const bad of ['10 Gi', '-1', '1e999']) {
      const r = await partition(n('bad'), t, { 'requests.memory': bad });
      expect([r.status, r.body.field], bad).toEqual([422, 'spec.hard["requests.memory"]']);
    }
    const tenantBad = await post(adminA, 'tenants', n('tbad'), {
      clusters: [{ cluster: qa, hard: { 'limits.cpu': '1e999' } }],
    });
    expect([tenantBad.status, tenantBad.body.field]).toEqual([422, 'spec.clusters[0].hard["limits.cpu"]']);

    const unknown = await post(adminA, 'partitions', n('bad'), { tenant: t, cluster: n('nowhere') });
    expect([unknown.status, unknown.body.field]).toEqual([422, 'spec.cluster']);
    const noQuota = await post(adminA, 'tenants', n('t-noquota'), { clusters: [] });
    expect(noQuota.status).toBe(201);
    const r = await post(adminA, 'partitions', n('bad'), { tenant: n('t-noquota'), cluster: qa });
    expect(r.body).toEqual({
      code: 422,
      reason: 'Invalid',
      field: 'spec.cluster',
      message: `tenant ${n('t-noquota')} has no quota on cluster ${qa}`,
    });
    const gpu = await partition(n('bad'), t, { 'requests.nvidia.com/gpu': '1' });
    expect([gpu.status, gpu.body.field]).toEqual([422, 'spec.hard["requests.nvidia.com/gpu"]']);
    const ghost = await post(adminA, 'partitions', n('bad'), { tenant: n('ghost'), cluster: qa });
    expect([ghost.status, ghost.body.field]).toEqual([422, 'spec.tenant']);
    expect((await adminA.get(`/api/v1/partitions/${n('bad')}`)).status).toBe(404);
  });

  it('refuses a namespace already used by another partition on that cluster (409), not on another', async () => {
    const dup = await partition(n('dup'), t, {}, { namespace: n('p1') });
    expect(dup.status).toBe(409);
    expect(dup.body).toMatchObject({ field: 'spec.namespace', message: expect.stringContaining(n('p1')) });
    const elsewhere = await post(adminA, 'partitions', n('dup'), {
      tenant: t,
      cluster: prod,
      namespace: n('p1'),
    });
    expect(elsewhere.status).toBe(201);
  });

  it('re-checks resizes: up beyond what remains refused, down allowed and settled in the ledger', async () => {
    const path = `/api/v1/partitions/${n('p1')}`;
    const up = await adminA.patch<Err>(path, { spec: { hard: { 'requests.cpu': '3' } } });
    expect(up.body).toMatchObject({
      code: 409,
      message: `requests.cpu 3 exceeds tenant remaining 2 on cluster ${qa}`,
    });
    const down = await adminA.patch(path, {
      spec: { hard: { 'requests.cpu': '1', 'requests.memory': '3Gi' } },
    });
    expect(down.status).toBe(200);
    expect(await allocated(t)).toMatchObject({ 'requests.cpu': '3' });
    // The core freed is there for another replica to take.
    expect(
      (await post(adminB, 'partitions', n('p5'), { tenant: t, cluster: qa, hard: { 'requests.cpu': '1' } }))
        .status,
    ).toBe(201);
    expect(await allocated(t)).toMatchObject({ 'requests.cpu': '4' });
  });

  it('refuses to shrink the tenant below what is allocated, or to drop a cluster that has partitions', async () => {
    const path = `/api/v1/tenants/${t}`;
    const shrink = await adminA.patch<Err>(path, {
      spec: {
        clusters: [
          { cluster: qa, hard: { ...cpu4, 'requests.cpu': '3' } },
          { cluster: prod, hard: { 'requests.cpu': '1' } },
        ],
      },
    });
    expect(shrink.body).toEqual({
      code: 409,
      reason: 'Conflict',
      field: 'spec.clusters[0].hard["requests.cpu"]',
      message: `requests.cpu 3 is below the 4 allocated to partitions on cluster ${qa}`,
    });
    const drop = await adminA.patch<Err>(path, { spec: { clusters: [{ cluster: qa, hard: cpu4 }] } });
    expect(drop.status).toBe(409);
    expect(drop.body.message).toContain(`1 partition on cluster ${prod}`);
    const grow = await adminA.patch(path, {
      spec: {
        clusters: [
          { cluster: qa, hard: { ...cpu4, 'requests.cpu': '5' } },
          { cluster: prod, hard: { 'requests.cpu': '1' } },
        ],
      },
    });
    expect(grow.status).toBe(200);
    // The leader mirrors the new quota into status.
    await eventually('the status shows the new quota', async () =>
      (await stored(t)).status?.clusters?.find((c) => c.cluster === qa)?.hard['requests.cpu'] === '5'
        ? true
        : undefined,
    );
    expect(await allocated(t)).toMatchObject({ 'requests.cpu': '4' });
  });

  it('takes back the reservation of a create that the management cluster refuses after it was made', async () => {
    expect(await allocated(t)).toMatchObject({ 'requests.cpu': '4' });
    // The label passes the API's schema but not the apiserver's metadata validation: the write fails late,
    // after the core it asks for (one of the five) was reserved.
    made.push({ plural: 'partitions', name: n('late2') });
    const late = await adminA.post<Err>('/api/v1/partitions', {
      metadata: { name: n('late2'), labels: { 'not a valid key!': 'x' } },
      spec: { tenant: t, cluster: qa, hard: { 'requests.cpu': '1' } },
    });
    expect(late.status).toBe(422);
    expect(late.body.message).toMatch(/label|name part|metadata/i);
    expect(await reservations(t)).not.toContain(n('late2'));
    expect(await allocated(t)).toMatchObject({ 'requests.cpu': '4' });
    // and the core is there to take
    expect((await partition(n('late3'), t, { 'requests.cpu': '1' })).status).toBe(201);
  });
});

describe('racing for the last cores', () => {
  const quota = (cpu: string) => [{ cluster: qa, hard: { 'requests.cpu': cpu } }];

  async function race(t: string, clients: ApiClient[], count: number) {
    const names = Array.from({ length: count }, (_, i) => `${t}-r${i}`);
    const replies = await Promise.all(
      names.map((name, i) =>
        post(clients[i % clients.length] as ApiClient, 'partitions', name, {
          tenant: t,
          cluster: qa,
          hard: { 'requests.cpu': '1' },
        }),
      ),
    );
    return { names, replies };
  }

  it('on one replica: of 10 asking 1 core of 4 remaining, exactly 4 win; the ledger sums to the quota', async () => {
    const t = n('race1');
    await tenant(t, quota('4'));
    const { replies } = await race(t, [adminA], 10);
    expect(statuses(replies)).toEqual([201, 201, 201, 201, 409, 409, 409, 409, 409, 409]);
    for (const r of replies.filter((x) => x.status === 409)) {
      expect(r.body.message).toBe(`requests.cpu 1 exceeds tenant remaining 0 on cluster ${qa}`);
    }
    expect(await allocated(t)).toEqual({ 'requests.cpu': '4' });
    const won = replies.flatMap((r, i) => (r.status === 201 ? [`${t}-r${i}`] : [])).sort();
    expect(await reservations(t)).toEqual(won);
    expect((await partitionsOf(t)).map((p) => p.metadata.name).sort()).toEqual(won);
  });

  it('across two replicas: never more than the quota, and two racing for the last 2 cores: one wins', async () => {
    const t = n('race2');
    await tenant(t, quota('4'));
    await cachedEverywhere('tenants', t);
    const { replies } = await race(t, [adminA, adminB], 10);
    expect(statuses(replies).filter((s) => s === 201)).toHaveLength(4);
    expect(statuses(replies).filter((s) => s !== 201)).toEqual([409, 409, 409, 409, 409, 409]);
    expect(await allocated(t)).toEqual({ 'requests.cpu': '4' });
    expect(await partitionsOf(t)).toHaveLength(4);

    for (let round = 0; round < 3; round++) {
      const last = n(`last${round}`);
      await tenant(last, quota('4'));
      expect(
        (
          await post(adminA, 'partitions', `${last}-base`, {
            tenant: last,
            cluster: qa,
            hard: { 'requests.cpu': '2' },
          })
        ).status,
      ).toBe(201);
      const two = await Promise.all(
        [adminA, adminB].map((c, i) =>
          post(c, 'partitions', `${last}-${i}`, { tenant: last, cluster: qa, hard: { 'requests.cpu': '2' } }),
        ),
      );
      expect(statuses(two)).toEqual([201, 409]);
      expect(await allocated(last)).toEqual({ 'requests.cpu': '4' });
    }
  });

  it('of creates of one name on both replicas exactly one is made, with one reservation', async () => {
    const t = n('same');
    await tenant(t, quota('4'));
    const name = n('same-p');
    const replies = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        post(i % 2 ? adminB : adminA, 'partitions', name, {
          tenant: t,
          cluster: qa,
          hard: { 'requests.cpu': '1' },
        }),
      ),
    );
    expect(statuses(replies)).toEqual([201, 409, 409, 409, 409, 409]);
    expect(await reservations(t)).toEqual([name]);
    expect(await allocated(t)).toEqual({ 'requests.cpu': '1' });
  });
});

describe('L4 port ranges', () => {
  const range = (r: string, cluster = qa) => [
    { cluster, hard: {}, loadBalancer: { l4PortRange: r, l7: true } },
  ];

  it("must lie in the cluster's pool and overlap no other tenant's on that cluster (409)", async () => {
    await tenant(n('lb1'), range('20000-20999'));
    await cachedEverywhere('tenants', n('lb1'));
    const overlap = await post(adminA, 'tenants', n('lb2'), { clusters: range('20500-21500') });
    expect(overlap.body).toEqual({
      code: 409,
      reason: 'Conflict',
      field: 'spec.clusters[0].loadBalancer.l4PortRange',
      message: `l4PortRange 20500-21500 overlaps tenant ${n('lb1')}'s 20000-20999 on cluster ${qa}`,
    });
    const outside = await post(adminA, 'tenants', n('lb2'), { clusters: range('29500-30500') });
    expect(outside.body).toMatchObject({ code: 409, message: expect.stringContaining('outside') });
    const reversed = await post(adminA, 'tenants', n('lb2'), { clusters: range('21000-20000') });
    expect(reversed.status).toBe(422);
    // The same ports on a cluster without a pool, and the next ones on this cluster, are fine.
    expect(
      (
        await post(adminA, 'tenants', n('lb2'), {
          clusters: [...range('21000-21999'), ...range('20000-20999', prod)],
        })
      ).status,
    ).toBe(201);
  });
});

describe('deleting a tenant', () => {
  const t = n('del');
  const userName = n('deleter');

  beforeAll(async () => {
    await tenant(t, [{ cluster: qa, hard: { 'requests.cpu': '4' } }]);
    for (const p of ['a', 'b']) {
      expect((await partition(`${t}-${p}`, t, { 'requests.cpu': '1' })).status).toBe(201);
    }
    // Someone who may delete the tenant but not its partitions.
    expect(
      (
        await post(adminA, 'roletemplates', n('tdel'), {
          level: 'tenant',
          rules: [{ apiGroups: ['shipyard.dev'], resources: ['tenants'], verbs: ['get', 'delete'] }],
        })
      ).status,
    ).toBe(201);
    expect((await post(adminA, 'users', userName, { password })).status).toBe(201);
    await cachedEverywhere('roletemplates', n('tdel'));
    const bound = await post(adminA, 'roletemplatebindings', n('tdel-b'), {
      subject: { kind: 'User', name: userName },
      roleTemplate: n('tdel'),
      scope: { level: 'tenant', name: t },
    });
    expect(bound.status).toBe(201);
    await cachedEverywhere('partitions', `${t}-b`);
  });

  it('is refused while it has partitions, unless cascade is asked for by someone who may delete them', async () => {
    const refused = await adminA.del<Err>(`/api/v1/tenants/${t}`);
    expect(refused.body).toEqual({
      code: 409,
      reason: 'Conflict',
      message: 'tenant has 2 partitions; delete them or ask for ?cascade=true',
    });

    const user = new ApiClient(a.url);
    await eventually('the deleter signs in', async () =>
      (await user.login(userName, password)).status === 200 ? true : undefined,
    );
    await eventually('the deleter has its grant', async () =>
      (await user.get(`/api/v1/tenants/${t}`)).status === 200 ? true : undefined,
    );
    const denied = await user.del<Err>(`/api/v1/tenants/${t}?cascade=true`);
    expect(denied.status).toBe(403);
    expect(denied.body.message).toContain('nothing was deleted');
    expect(await partitionsOf(t)).toHaveLength(2);

    const cascaded = await adminB.del(`/api/v1/tenants/${t}?cascade=true`);
    expect(cascaded.status).toBe(200);
    expect(await partitionsOf(t)).toEqual([]);
    await expect(stored(t)).rejects.toMatchObject({ status: 404 });
  });

  it('without partitions goes, also right after its last partition was deleted', async () => {
    const t2 = n('del2');
    await tenant(t2, [{ cluster: qa, hard: { 'requests.cpu': '1' } }]);
    expect((await partition(`${t2}-a`, t2, { 'requests.cpu': '1' })).status).toBe(201);
    await cachedEverywhere('partitions', `${t2}-a`);
    expect((await adminA.del(`/api/v1/partitions/${t2}-a`)).status).toBe(200);
    expect(await reservations(t2)).toEqual([]);
    expect((await adminB.del(`/api/v1/tenants/${t2}`)).status).toBe(200);
  });
});

describe('the leader repairs the ledger', () => {
  it('drops a reservation whose partition never appeared, and adds a partition written around the API', async () => {
    const t = n('repair');
    await tenant(t, [{ cluster: qa, hard: { 'requests.cpu': '4' } }]);
    // A server that crashed between reserving and creating left this behind an hour ago.
    const stale = {
      cluster: qa,
      namespace: n('crashed'),
      hard: { 'requests.cpu': '3' },
      id: 'x',
      at: new Date(Date.now() - 3600_000).toISOString(),
    };
    await eventually('the stale reservation written', async () => {
      const current = await stored(t);
      const status = { ...current.status, reservations: { [n('crashed')]: stale } };
      // The leader may write the status meanwhile (409): read again.
      return kube.replaceStatus(kinds.Tenant, t, { ...current, status }).then(
        () => true,
        (err: unknown) => {
          if (err instanceof ApiError && err.status === 409) return undefined;
          throw err;
        },
      );
    });
    // And someone wrote a partition with kubectl.
    made.push({ plural: 'partitions', name: n('kubectl') });
    await kube.create(kinds.Partition, {
      apiVersion: 'shipyard.dev/v1alpha1',
      kind: 'Partition',
      metadata: { name: n('kubectl') },
      spec: { tenant: t, cluster: qa, hard: { 'requests.cpu': '1' } },
    });
    await eventually(
      'the ledger repaired',
      async () => {
        const names = await reservations(t);
        return names.length === 1 && names[0] === n('kubectl') ? true : undefined;
      },
      20_000,
    );
    expect(await allocated(t)).toEqual({ 'requests.cpu': '1' });
  });
});
