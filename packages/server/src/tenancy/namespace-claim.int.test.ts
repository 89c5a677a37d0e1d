// A namespace is one partition's, across tenants and replicas: partitions of two tenants racing for one
// namespace on one cluster through two replicas — exactly one is made each round, the others get 409 naming
// the holder; deleting the holder frees the namespace. Clusters are Cluster objects without a connection.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { kubectl } from '@shipyard/localkube';
import { ApiClient, eventually, startTestServer, type TestServer } from '../testing/server.js';
import { claimName } from './namespace-claim.js';

const run = Date.now().toString(36);
const n = (s: string) => `nsc-${s}-${run}`;
const cluster = n('qa');
const tenants = [n('ta'), n('tb')];

let a: TestServer;
let b: TestServer;
let admins: ApiClient[];

const created = (r: { status: number; body: unknown }) => expect(r.status, JSON.stringify(r.body)).toBe(201);

beforeAll(async () => {
  const kubeconfig = inject('kubeconfig');
  [a, b] = await Promise.all([startTestServer(kubeconfig), startTestServer(kubeconfig)]);
  admins = await Promise.all([a, b].map((s) => ApiClient.asAdmin(s.url)));
  created(await admins[0]!.post('/api/v1/clusters', { metadata: { name: cluster }, spec: {} }));
  for (const t of tenants) {
    created(
      await admins[0]!.post('/api/v1/tenants', {
        metadata: { name: t },
        spec: { clusters: [{ cluster, hard: { 'requests.cpu': '10' } }] },
      }),
    );
  }
  for (const admin of admins) {
    for (const t of tenants) {
      await eventually(`${t} cached`, async () =>
        (await admin.get(`/api/v1/tenants/${t}`)).status === 200 ? true : undefined,
      );
    }
  }
});

afterAll(async () => {
  // Without the Cluster, the partitions' finalizers are released: then the tenants go.
  await admins?.[0]?.del(`/api/v1/clusters/${cluster}`);
  for (const t of tenants) await admins?.[0]?.del(`/api/v1/tenants/${t}?cascade=true`);
  await a?.close();
  await b?.close();
});

describe('a namespace claimed by partitions of two tenants at once, on two replicas', () => {
  it('goes to exactly one of them, round after round; the others get 409 naming the holder', async () => {
    for (let round = 0; round < 4; round++) {
      const namespace = n(`shared-${round}`);
      const replies = await Promise.all(
        tenants.flatMap((tenant, ti) =>
          admins.map((admin, ai) =>
            admin.post<{ message?: string; field?: string }>('/api/v1/partitions', {
              metadata: { name: n(`p${round}-${ti}${ai}`) },
              spec: { tenant, cluster, namespace, hard: { 'requests.cpu': '1' } },
            }),
          ),
        ),
      );
      expect(replies.map((r) => r.status).sort(), `round ${round}`).toEqual([201, 409, 409, 409]);
      const winner = replies.findIndex((r) => r.status === 201);
      const holder = n(`p${round}-${Math.floor(winner / 2)}${winner % 2}`);
      for (const r of replies.filter((x) => x.status === 409)) {
        expect(r.body.field).toBe('spec.namespace');
        expect(r.body.message).toMatch(
          new RegExp(`namespace ${namespace} on cluster ${cluster} is already used by partition`),
        );
      }
      // The claim in the management cluster names the winner.
      const claim = await kubectl({ kubeconfig: inject('kubeconfig') }, [
        'get',
        'configmap',
        claimName(cluster, namespace),
        '-n',
        'shipyard-system',
        '-o',
        'jsonpath={.data.partition}',
      ]);
      expect(claim).toBe(holder);
    }
  });

  it('is free again once its partition is gone', async () => {
    const namespace = n('moving');
    created(
      await admins[0]!.post('/api/v1/partitions', {
        metadata: { name: n('first') },
        spec: { tenant: tenants[0], cluster, namespace },
      }),
    );
    const taken = await admins[1]!.post('/api/v1/partitions', {
      metadata: { name: n('second') },
      spec: { tenant: tenants[1], cluster, namespace },
    });
    expect(taken.status).toBe(409);
    // The controller's finalizer is on once the partition reports; the delete then leaves it terminating
    // until the controller lets it go (at once here: the cluster has no connection), releasing the claim.
    await eventually('first has its finalizer', async () => {
      const r = await admins[0]!.get<{ metadata: { finalizers?: string[] } }>(
        `/api/v1/partitions/${n('first')}`,
      );
      return r.body.metadata.finalizers?.length ? true : undefined;
    });
    expect((await admins[0]!.del(`/api/v1/partitions/${n('first')}`)).status).toBe(200);
    for (const admin of admins) {
      await eventually('first gone', async () =>
        (await admin.get(`/api/v1/partitions/${n('first')}`)).status === 404 ? true : undefined,
      );
    }
    created(
      await admins[1]!.post('/api/v1/partitions', {
        metadata: { name: n('second') },
        spec: { tenant: tenants[1], cluster, namespace },
      }),
    );
  });
});
