// Partition admission through the real API, with two server replicas (testing/admission-rig.ts): partitions
// never oversubscribe their tenant, even when requests race on one replica or across both; resizes and tenant
// shrinks are re-checked; bad input is refused with the field.
import { beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, eventually } from '../testing/server.js';
import {
  adminA,
  adminB,
  allocated,
  cachedEverywhere,
  made,
  n,
  partition,
  partitionsOf,
  post,
  prod,
  qa,
  reservations,
  statuses,
  stored,
  tenant,
  useAdmissionRig,
  type Err,
} from './testing/admission-rig.js';

useAdmissionRig();

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
