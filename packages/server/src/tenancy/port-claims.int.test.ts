// L4 port ranges are one tenant's per cluster, across replicas: tenants asking for overlapping ranges on one
// cluster through two replicas at once get exactly one 201 each round, the others 409 naming the holder;
// a range moved or a tenant deleted frees what it held. Clusters are Cluster objects without a connection.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { kubectl } from '@shipyard/localkube';
import { ApiClient, eventually, startTestServer, type TestServer } from '../testing/server.js';
import { portSheetName } from './port-claims.js';

const run = Date.now().toString(36);
const n = (s: string) => `pc-${s}-${run}`;
const cluster = n('qa');

let a: TestServer;
let b: TestServer;
let admins: ApiClient[];
const made: string[] = [];

const tenant = (name: string, range: string) => ({
  metadata: { name },
  spec: { clusters: [{ cluster, hard: { 'requests.cpu': '1' }, loadBalancer: { l4PortRange: range } }] },
});

/** The claims sheet of the cluster, as tenant → range. */
async function sheet(): Promise<Record<string, string>> {
  const out = await kubectl({ kubeconfig: inject('kubeconfig') }, [
    'get',
    'configmap',
    portSheetName(cluster),
    '-n',
    'shipyard-system',
    '-o',
    'jsonpath={.data}',
  ]);
  const data = JSON.parse(out || '{}') as Record<string, string>;
  return Object.fromEntries(
    Object.entries(data).map(([t, json]) => [t, (JSON.parse(json) as { range: string }).range]),
  );
}

beforeAll(async () => {
  const kubeconfig = inject('kubeconfig');
  [a, b] = await Promise.all([startTestServer(kubeconfig), startTestServer(kubeconfig)]);
  admins = await Promise.all([a, b].map((s) => ApiClient.asAdmin(s.url)));
  const c = await admins[0]!.post('/api/v1/clusters', {
    metadata: { name: cluster },
    spec: { l4PortPool: '20000-29999' },
  });
  expect(c.status, JSON.stringify(c.body)).toBe(201);
  for (const admin of admins) {
    await eventually('cluster cached', async () =>
      (await admin.get(`/api/v1/clusters/${cluster}`)).status === 200 ? true : undefined,
    );
  }
});

afterAll(async () => {
  for (const t of made) await admins?.[0]?.del(`/api/v1/tenants/${t}?cascade=true`);
  await admins?.[0]?.del(`/api/v1/clusters/${cluster}`);
  await a?.close();
  await b?.close();
});

describe('L4 port ranges of tenants on one cluster, asked for at once on two replicas', () => {
  it('go to exactly one of the overlapping asks, round after round; the others get 409 naming it', async () => {
    for (let round = 0; round < 4; round++) {
      const base = 20000 + round * 1000;
      const asks = [0, 1, 2, 3].map((i) => ({
        name: n(`r${round}-${i}`),
        range: `${base + i * 50}-${base + i * 50 + 199}`, // each overlaps the next three
      }));
      made.push(...asks.map((x) => x.name));
      const replies = await Promise.all(
        asks.map((x, i) =>
          admins[i % 2]!.post<{ message?: string; field?: string }>(
            '/api/v1/tenants',
            tenant(x.name, x.range),
          ),
        ),
      );
      expect(replies.map((r) => r.status).sort(), `round ${round}`).toEqual([201, 409, 409, 409]);
      const winner = asks[replies.findIndex((r) => r.status === 201)]!;
      for (const r of replies.filter((x) => x.status === 409)) {
        expect(r.body.field).toBe('spec.clusters[0].loadBalancer.l4PortRange');
        expect(r.body.message).toMatch(/overlaps tenant/);
      }
      // Nothing of the refused is left: the sheet holds the winner's range alone for this round's ports.
      const held = Object.entries(await sheet()).filter(([t]) => asks.some((x) => x.name === t));
      expect(held).toEqual([[winner.name, winner.range]]);
    }
  });

  it('frees a range moved away and the ranges of a deleted tenant', async () => {
    const first = n('first');
    const second = n('second');
    made.push(first, second);
    expect((await admins[0]!.post('/api/v1/tenants', tenant(first, '25000-25099'))).status).toBe(201);
    expect((await admins[1]!.post('/api/v1/tenants', tenant(second, '25050-25149'))).status).toBe(409);
    // Moved on the cluster: the old range is free at once, through the other replica.
    const moved = await admins[0]!.patch(`/api/v1/tenants/${first}`, {
      spec: tenant(first, '25500-25599').spec,
    });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    const taken = await admins[1]!.post('/api/v1/tenants', tenant(second, '25050-25149'));
    expect(taken.status, JSON.stringify(taken.body)).toBe(201);
    // Deleted: its range goes with it.
    expect((await admins[0]!.del(`/api/v1/tenants/${first}`)).status).toBe(200);
    expect((await sheet())[first]).toBeUndefined();
    const third = n('third');
    made.push(third);
    await eventually('the deleted tenant is gone from the cache of replica b', async () =>
      (await admins[1]!.get(`/api/v1/tenants/${first}`)).status === 404 ? true : undefined,
    );
    expect((await admins[1]!.post('/api/v1/tenants', tenant(third, '25500-25599'))).status).toBe(201);
  });
});
