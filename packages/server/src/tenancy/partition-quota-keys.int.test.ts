// Every key of the tenant's quota binds every partition: a partition that names only CPU and memory gets 0 of
// the tenant's pods and storage in its ResourceQuota, so the apiserver itself refuses a claim the tenant's
// quota does not allow, and the quota view counts those keys. Against a real user cluster joined directly.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { TenantQuotaView } from '@shipyard/api';
import { kubectl } from '@shipyard/localkube';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { kubeconfigFor, kubectlWith } from '../testing/kube-tools.js';
import { eventually } from '../testing/server.js';
import {
  created,
  readyPartition,
  startTenancyFixture,
  type TenancyFixture,
} from './testing/tenancy-fixture.js';

const run = Date.now().toString(36);
const cluster = `qk-${run}`;
const tenant = `qk-t-${run}`;
const lean = `qk-lean-${run}`;
const store = `qk-store-${run}`;
const sc = 'fast.storageclass.storage.k8s.io';
const storage = `${sc}/requests.storage`;
const claims = `${sc}/persistentvolumeclaims`;
const hard = { 'requests.cpu': '4', 'requests.memory': '8Gi', pods: '100', [storage]: '30Gi', [claims]: '5' };
const cpuAndMemory = { 'requests.cpu': '1', 'requests.memory': '1Gi' };

let f: TenancyFixture;
let asAdmin: (...args: string[]) => ReturnType<typeof kubectlWith>;

type Quota = { spec: { hard: Record<string, string> }; status?: { hard?: Record<string, string> } };

const quotaOf = async (namespace: string) =>
  JSON.parse(
    await kubectl(f.user, ['get', 'resourcequota', 'shipyard-quota', '-n', namespace, '-o', 'json']),
  ) as Quota;

/** A claim of `size` of the storage class, made through the proxy as the platform admin. */
async function claim(namespace: string, name: string, size: string) {
  const manifest = JSON.stringify({
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name, namespace },
    spec: {
      storageClassName: 'fast',
      accessModes: ['ReadWriteOnce'],
      resources: { requests: { storage: size } },
    },
  });
  const file = path.join(f.dir, `${name}.json`);
  writeFileSync(file, manifest);
  return asAdmin('create', '-f', file);
}

beforeAll(async () => {
  f = await startTenancyFixture(inject('kubeconfig'), cluster);
  await created(f.admin, 'tenants', {
    metadata: { name: tenant },
    spec: { clusters: [{ cluster, hard }] },
  } as {
    metadata: { name: string };
  });
  await readyPartition(f.admin, { name: lean, tenant, cluster, hard: cpuAndMemory });
  await readyPartition(f.admin, {
    name: store,
    tenant,
    cluster,
    hard: { ...cpuAndMemory, pods: '10', [storage]: '10Gi', [claims]: '2' },
  });
  const file = await kubeconfigFor(f.admin, cluster, f.dir, 'admin');
  asAdmin = (...args) => kubectlWith(file, ...args);
  // The platform admin's ClusterRoleBinding in the user cluster (the RBAC controller writes it).
  await eventually('the admin through the proxy', async () =>
    (await asAdmin('get', 'pods', '-n', lean)).code === 0 ? true : undefined,
  );
});

afterAll(async () => {
  await f?.admin.del(`/api/v1/tenants/${tenant}?cascade=true`);
  await f?.close();
});

describe('every key of the tenant quota binds every partition', () => {
  it("puts the tenant's keys the partition was not given into its ResourceQuota at 0", async () => {
    const q = await quotaOf(lean);
    expect(q.spec.hard).toEqual({ ...cpuAndMemory, pods: '0', [storage]: '0', [claims]: '0' });
    expect(q.status?.hard).toEqual(q.spec.hard);
  });

  it('lets the apiserver refuse a claim beyond what the partition was given, through the proxy', async () => {
    const big = await claim(lean, 'big', '500Gi');
    expect([big.code, big.err]).toEqual([1, expect.stringMatching(/exceeded quota/)]);
    const none = await claim(lean, 'small', '1Gi');
    expect([none.code, none.err]).toEqual([1, expect.stringMatching(/exceeded quota/)]);
    const fits = await claim(store, 'data', '5Gi');
    expect(fits.code, fits.err).toBe(0);
    const over = await claim(store, 'big', '500Gi');
    expect([over.code, over.err]).toEqual([1, expect.stringMatching(/exceeded quota/)]);
  });

  it('shows in the quota view what the claims use, and every key of each partition', async () => {
    const line = (resource: string, total: string, allocated: string, remaining: string, used: string) => ({
      resource,
      total,
      allocated,
      remaining,
      used,
    });
    const want = [
      line(claims, '5', '2', '3', '1'),
      line(storage, '30Gi', '10Gi', '20Gi', '5Gi'),
      line('pods', '100', '10', '90', '0'),
      line('requests.cpu', '4', '2', '2', '0'),
      line('requests.memory', '8Gi', '2Gi', '6Gi', '0'),
    ];
    let last: unknown;
    await eventually('the quota view to count the claim', async () => {
      const r = await f.admin.get<TenantQuotaView>(`/api/v1/tenants/${tenant}/quota`);
      last = r.body.clusters[0]?.resources;
      return JSON.stringify(last) === JSON.stringify(want) ? r.body : undefined;
    }).catch(() => expect(last).toEqual(want));
    const view = (await f.admin.get<TenantQuotaView>(`/api/v1/tenants/${tenant}/quota`)).body;
    const shares = Object.fromEntries(
      (view.clusters[0]?.partitions ?? []).map((p) => [
        p.name,
        Object.fromEntries(p.resources.map((r) => [r.resource, `${r.allocated}/${r.used}`])),
      ]),
    );
    expect(shares[lean]).toEqual({
      [claims]: '0/0',
      [storage]: '0/0',
      pods: '0/0',
      'requests.cpu': '1/0',
      'requests.memory': '1Gi/0',
    });
    expect(shares[store]).toMatchObject({ [claims]: '2/1', [storage]: '10Gi/5Gi' });
  });

  it("gives every partition a key the tenant's quota gains, at 0, and admits a share of it after", async () => {
    const more = { ...hard, 'count/configmaps': '50' };
    const r = await f.admin.patch(`/api/v1/tenants/${tenant}`, {
      spec: { clusters: [{ cluster, hard: more }] },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    for (const p of [lean, store]) {
      await eventually(`${p} bound by count/configmaps`, async () => {
        const q = await quotaOf(p);
        return q.spec.hard['count/configmaps'] === '0' && q.status?.hard?.['count/configmaps'] === '0'
          ? true
          : undefined;
      });
    }
    const cm = await asAdmin('create', 'configmap', 'x', '-n', lean);
    expect([cm.code, cm.err]).toEqual([1, expect.stringMatching(/exceeded quota/)]);
    // A share of the new key, and of one the partition never named: the ledger counts only what it names.
    const grown = await f.admin.patch(`/api/v1/partitions/${lean}`, {
      spec: { hard: { ...cpuAndMemory, 'count/configmaps': '5', pods: '5' } },
    });
    expect(grown.status, JSON.stringify(grown.body)).toBe(200);
    await eventually('the configmap fits', async () =>
      (await asAdmin('create', 'configmap', 'x', '-n', lean)).code === 0 ? true : undefined,
    );
    const tooMuch = await f.admin.patch(`/api/v1/partitions/${lean}`, {
      spec: { hard: { ...cpuAndMemory, pods: '91' } },
    });
    expect([tooMuch.status, tooMuch.body.field]).toEqual([409, 'spec.hard.pods']);
  });
});
