// Isolation between tenants: a developer and a tenant admin of tenant A can neither see nor touch tenant B
// through the platform API, the kube proxy (get, watch, logs, exec, cluster-wide lists) or by granting
// themselves into it, while they work normally in their own partition.
import { kubectl } from '@shipyard/localkube';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  created,
  person,
  readyPartition,
  startTenancyFixture,
  type Person,
  type TenancyFixture,
} from './testing/tenancy-fixture.js';
import { eventually } from '../testing/server.js';

const run = Date.now().toString(36);
const cluster = `iso-${run}`;
const [tenantA, tenantB] = [`iso-a-${run}`, `iso-b-${run}`];
const [pA, pB] = [`iso-pa-${run}`, `iso-pb-${run}`];
const hard = { 'requests.cpu': '2', 'limits.cpu': '4', pods: '10' };
const share = { 'requests.cpu': '1', 'limits.cpu': '1', pods: '5' };

type Named = { metadata: { name: string }; spec: Record<string, unknown> };
type List = { items: Named[] };

let f: TenancyFixture;
let devA: Person;
let adminA: Person;
let devB: Person;

/** Seeds a partition's namespace as the cluster's own admin: a pod, a secret and a config map. */
async function seed(namespace: string, prefix: string): Promise<void> {
  const k = (...args: string[]) => kubectl(f.user, args);
  await k('run', `${prefix}-pod`, '--image=nginx', '--restart=Never', '-n', namespace);
  await k('create', 'secret', 'generic', `${prefix}-secret`, '--from-literal=token=hidden', '-n', namespace);
  await k('create', 'configmap', `${prefix}-config`, '--from-literal=a=b', '-n', namespace);
}

beforeAll(async () => {
  f = await startTenancyFixture(inject('kubeconfig'), cluster);
  for (const t of [tenantA, tenantB]) {
    await created(f.admin, 'tenants', {
      metadata: { name: t },
      spec: { clusters: [{ cluster, hard }] },
    } as Named);
  }
  await Promise.all([
    // Every key of the tenant's quota binds the partition: without a limits.cpu share no pod would fit.
    readyPartition(f.admin, { name: pA, tenant: tenantA, cluster, hard: share }),
    readyPartition(f.admin, { name: pB, tenant: tenantB, cluster, hard: share }),
  ]);
  [devA, adminA, devB] = await Promise.all([
    person(f, `iso-dev-a-${run}`),
    person(f, `iso-admin-a-${run}`),
    person(f, `iso-dev-b-${run}`),
  ]);
  await f.admin.patch(`/api/v1/groups/${tenantA}-developers`, { spec: { members: [devA.name] } });
  await f.admin.patch(`/api/v1/groups/${tenantB}-developers`, { spec: { members: [devB.name] } });
  await created(f.admin, 'roletemplatebindings', {
    metadata: { name: `iso-admin-a-${run}` },
    spec: {
      subject: { kind: 'User', name: adminA.name },
      roleTemplate: 'tenant-admin',
      scope: { level: 'tenant', name: tenantA },
    },
  } as unknown as Named);
  await Promise.all([seed(pA, 'a'), seed(pB, 'b')]);
  // Wait until both developers' grants are in force in the cluster.
  for (const [p, ns] of [
    [devA, pA],
    [devB, pB],
  ] as const) {
    await eventually(`${p.name} lists pods in ${ns}`, async () =>
      (await p.kubectl('get', 'pods', '-n', ns)).code === 0 ? true : undefined,
    );
  }
});

afterAll(async () => {
  for (const t of [tenantA, tenantB]) await f?.admin.del(`/api/v1/tenants/${t}?cascade=true`);
  await f?.close();
});

const names = (l: List) => l.items.map((i) => i.metadata.name).sort();

describe('through the platform API, a member of tenant A', () => {
  it("lists only tenant A's tenant, partitions, groups and grants", async () => {
    for (const p of [devA, adminA]) {
      expect(names((await p.api.get<List>('/api/v1/tenants')).body), p.name).toEqual([tenantA]);
      expect(names((await p.api.get<List>('/api/v1/partitions')).body), p.name).toEqual([pA]);
      const groups = (await p.api.get<List>('/api/v1/groups')).body.items;
      expect(groups.length, p.name).toBeGreaterThanOrEqual(5);
      expect(
        groups.every((g) => g.spec.tenant === tenantA),
        p.name,
      ).toBe(true);
      const bindings = (await p.api.get<List>('/api/v1/roletemplatebindings')).body.items;
      expect(
        bindings.filter(
          (b) => JSON.stringify(b.spec).includes(tenantB) || JSON.stringify(b.spec).includes(pB),
        ),
        p.name,
      ).toEqual([]);
    }
  });

  it("gets 403 for tenant B's objects, and for the cluster's own lists", async () => {
    for (const p of [devA, adminA]) {
      for (const url of [
        `/api/v1/tenants/${tenantB}`,
        `/api/v1/partitions/${pB}`,
        `/api/v1/groups/${tenantB}-developers`,
        `/api/v1/clusters/${cluster}/namespaces`,
        `/api/v1/clusters/${cluster}/events?namespace=${pB}`,
      ]) {
        expect((await p.api.get(url)).status, `${p.name} ${url}`).toBe(403);
      }
    }
  });

  it('cannot grant itself into tenant B, move things there or change them', async () => {
    const tries: [string, string, unknown][] = [
      ['POST', '/api/v1/groups', { metadata: { name: `iso-g-${run}` }, spec: { tenant: tenantB } }],
      [
        'POST',
        '/api/v1/partitions',
        { metadata: { name: `iso-px-${run}` }, spec: { tenant: tenantB, cluster } },
      ],
      ['PATCH', `/api/v1/groups/${tenantB}-developers`, { spec: { members: [devA.name] } }],
      ['PATCH', `/api/v1/groups/${tenantA}-sres`, { spec: { tenant: tenantB } }],
      ['PATCH', `/api/v1/partitions/${pB}`, { spec: { hard: { 'requests.cpu': '2' } } }],
      ['DELETE', `/api/v1/partitions/${pB}`, undefined],
      ...(['tenant', 'partition'] as const).map((level): [string, string, unknown] => [
        'POST',
        '/api/v1/roletemplatebindings',
        {
          metadata: { name: `iso-b-${level}-${run}` },
          spec: {
            subject: { kind: 'Group', name: `${tenantA}-developers` },
            roleTemplate: level === 'tenant' ? 'team-developers' : 'partition-editor',
            scope: { level, name: level === 'tenant' ? tenantB : pB },
          },
        },
      ]),
    ];
    for (const [method, url, body] of tries) {
      const r = await adminA.api.request(method, url, body);
      expect(r.status, `${method} ${url}: ${JSON.stringify(r.body)}`).toBe(403);
    }
    const b = await f.admin.get<Named>(`/api/v1/groups/${tenantB}-developers`);
    expect(b.body.spec.members).toEqual([devB.name]);
  });
});

describe('through the kube proxy, a developer of tenant A', () => {
  const forbidden = async (p: Person, ...args: string[]) => {
    const r = await p.kubectl(...args);
    expect([r.code, r.err], args.join(' ')).toEqual([
      1,
      expect.stringMatching(/Forbidden|is forbidden: User/),
    ]);
  };

  it("is refused tenant B's pods, secrets, config, events, logs and exec", async () => {
    for (const what of ['pods', 'secrets', 'configmaps', 'events', 'services', 'deployments']) {
      await forbidden(devA, 'get', what, '-n', pB);
    }
    await forbidden(devA, 'get', 'secret', 'b-secret', '-n', pB, '-o', 'yaml');
    await forbidden(devA, 'logs', 'b-pod', '-n', pB);
    await forbidden(devA, 'exec', 'b-pod', '-n', pB, '--', 'true');
    await forbidden(devA, 'delete', 'pod', 'b-pod', '-n', pB);
    await forbidden(devA, 'create', 'configmap', 'planted', '--from-literal=a=b', '-n', pB);
    await forbidden(devA, 'delete', 'namespace', pB);
    await forbidden(devA, 'label', 'namespace', pB, 'shipyard.dev/tenant=stolen');
  });

  it('is refused a watch of tenant B, raw or with kubectl -w', async () => {
    await forbidden(devA, 'get', 'pods', '-n', pB, '-w', '--request-timeout=10s');
    await forbidden(devA, 'get', '--raw', `/api/v1/namespaces/${pB}/pods?watch=true&timeoutSeconds=5`);
    await forbidden(devA, 'get', '--raw', `/api/v1/namespaces/${pB}/events?watch=true&timeoutSeconds=5`);
  });

  it('sees only its own tenant in cluster-wide lists', async () => {
    for (const [p, mine, theirs] of [
      [devA, 'a', 'b'],
      [devB, 'b', 'a'],
    ] as const) {
      for (const [what, suffix] of [
        ['pods', 'pod'],
        ['secrets', 'secret'],
        ['configmaps', 'config'],
      ]) {
        const r = await p.kubectl('get', what!, '-A', '-o', 'name');
        expect(r.code, r.err).toBe(0);
        expect(r.out, `${p.name} ${what}`).toContain(`/${mine}-${suffix}`);
        expect(r.out, `${p.name} ${what}`).not.toContain(`/${theirs}-${suffix}`);
      }
      const events = await p.kubectl('get', 'events', '-A', '-o', 'jsonpath={.items[*].metadata.namespace}');
      expect(events.code, events.err).toBe(0);
      expect(new Set(events.out.split(' ').filter(Boolean)), `${p.name} events`).toEqual(
        new Set(p === devA ? [pA] : [pB]),
      );
    }
    const ns = await devA.kubectl('get', 'namespaces', '-o', 'name');
    expect(ns.out).not.toContain(pB);
  });

  it('works normally in its own partition', async () => {
    const r = await devA.kubectl('create', 'configmap', `iso-own-${run}`, '--from-literal=a=b', '-n', pA);
    expect(r.code, r.err).toBe(0);
    const s = await devA.kubectl('get', 'secret', 'a-secret', '-n', pA, '-o', 'jsonpath={.data.token}');
    expect(Buffer.from(s.out, 'base64').toString()).toBe('hidden');
  });
});
