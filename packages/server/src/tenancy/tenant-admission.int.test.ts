// Tenant admission through the real API, with two server replicas (testing/admission-rig.ts): L4 port ranges
// within the cluster's pool and apart from other tenants', deletes that leave nothing behind, and the leader's
// repair of the ledger.
import { kinds } from '@shipyard/api';
import { beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '../http/errors.js';
import { ApiClient, eventually } from '../testing/server.js';
import {
  a,
  adminA,
  adminB,
  allocated,
  cachedEverywhere,
  kube,
  made,
  n,
  partition,
  partitionsOf,
  password,
  post,
  prod,
  qa,
  reservations,
  stored,
  tenant,
  useAdmissionRig,
  type Err,
} from './testing/admission-rig.js';

useAdmissionRig();

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
