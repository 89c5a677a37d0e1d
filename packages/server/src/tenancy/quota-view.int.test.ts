// The quota views of seed 000 from a real cluster: pods and volumes made in a partition show, through
// GET /api/v1/tenants/{t}/quota, as used against what the partition was given and what the tenant has
// ("CPU request 2 / 2 core, limit 6 / 10 core; volumes 2 / 5, 10 / 30 GiB").
import { kubectl } from '@shipyard/localkube';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { eventually } from '../testing/server.js';
import type { TenantQuotaView } from '@shipyard/api';
import {
  created,
  person,
  readyPartition,
  startTenancyFixture,
  type Person,
  type TenancyFixture,
} from './testing/tenancy-fixture.js';

const run = Date.now().toString(36);
const cluster = `qv-${run}`;
const tenant = `qv-t-${run}`;
const partition = `qv-p-${run}`;
const sc = 'heketi.storageclass.storage.k8s.io';
const share = {
  'requests.cpu': '2',
  'limits.cpu': '10',
  'requests.memory': '1Gi',
  [`${sc}/persistentvolumeclaims`]: '5',
  [`${sc}/requests.storage`]: '30Gi',
};

let f: TenancyFixture;
let member: Person;
let stranger: Person;

const pod = (name: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: partition },
  spec: {
    containers: [
      {
        name: 'app',
        image: 'nginx',
        resources: { requests: { cpu: '1', memory: '256Mi' }, limits: { cpu: '3' } },
      },
    ],
  },
});
const claim = (name: string) => ({
  apiVersion: 'v1',
  kind: 'PersistentVolumeClaim',
  metadata: { name, namespace: partition },
  spec: {
    storageClassName: 'heketi',
    accessModes: ['ReadWriteOnce'],
    resources: { requests: { storage: '5Gi' } },
  },
});

beforeAll(async () => {
  f = await startTenancyFixture(inject('kubeconfig'), cluster);
  await created(f.admin, 'tenants', {
    metadata: { name: tenant },
    spec: {
      clusters: [
        {
          cluster,
          hard: { ...share, 'requests.cpu': '4', 'limits.cpu': '20', 'requests.memory': '8Gi' },
        },
      ],
    },
  } as { metadata: { name: string } });
  await readyPartition(f.admin, { name: partition, tenant, cluster, hard: share });
  [member, stranger] = await Promise.all([person(f, `qv-member-${run}`), person(f, `qv-stranger-${run}`)]);
  await f.admin.patch(`/api/v1/groups/${tenant}-developers`, { spec: { members: [member.name] } });
  const list = {
    apiVersion: 'v1',
    kind: 'List',
    items: [pod('a'), pod('b'), claim('data-a'), claim('data-b')],
  };
  await kubectl(f.user, ['apply', '-f', '-'], JSON.stringify(list));
});

afterAll(async () => {
  await f?.admin.del(`/api/v1/tenants/${tenant}?cascade=true`);
  await f?.close();
});

describe('GET /api/v1/tenants/{t}/quota', () => {
  it('shows what the pods and volumes use, against the partition share and the tenant total', async () => {
    const want = {
      tenant,
      clusters: [
        {
          cluster,
          resources: [
            {
              resource: `${sc}/persistentvolumeclaims`,
              total: '5',
              allocated: '5',
              remaining: '0',
              used: '2',
            },
            {
              resource: `${sc}/requests.storage`,
              total: '30Gi',
              allocated: '30Gi',
              remaining: '0',
              used: '10Gi',
            },
            { resource: 'limits.cpu', total: '20', allocated: '10', remaining: '10', used: '6' },
            { resource: 'requests.cpu', total: '4', allocated: '2', remaining: '2', used: '2' },
            { resource: 'requests.memory', total: '8Gi', allocated: '1Gi', remaining: '7Gi', used: '512Mi' },
          ],
          partitions: [
            {
              name: partition,
              namespace: partition,
              resources: [
                { resource: `${sc}/persistentvolumeclaims`, allocated: '5', used: '2' },
                { resource: `${sc}/requests.storage`, allocated: '30Gi', used: '10Gi' },
                { resource: 'limits.cpu', allocated: '10', used: '6' },
                { resource: 'requests.cpu', allocated: '2', used: '2' },
                { resource: 'requests.memory', allocated: '1Gi', used: '512Mi' },
              ],
            },
          ],
        },
      ],
    };
    const started = performance.now();
    let last: unknown;
    await eventually(
      'the quota view to show the use',
      async () => {
        const r = await member.api.get<TenantQuotaView>(`/api/v1/tenants/${tenant}/quota`);
        last = r.body;
        return JSON.stringify(r.body) === JSON.stringify(want) ? true : undefined;
      },
      20_000,
    ).catch(() => expect(last).toEqual(want));
    console.log(`quota view complete after ${Math.round(performance.now() - started)} ms of waiting`);
  });

  it('answers 404 for an unknown tenant and 403 to someone outside it', async () => {
    expect((await member.api.get(`/api/v1/tenants/qv-nobody-${run}/quota`)).status).toBe(404);
    const r = await stranger.api.get(`/api/v1/tenants/${tenant}/quota`);
    expect([r.status, r.body.message]).toEqual([403, `${stranger.name} may not get tenant "${tenant}"`]);
  });
});
