// The teams of seed 000: a new tenant comes with Default Team, SREs, Developers, Resource and Support, each a
// group bound to its template on the tenant. A tenant admin puts people in them; what each may then do in a
// partition is decided by the user cluster's own RBAC (kubectl auth can-i through the proxy), and on the
// platform by the server: the permission matrix below.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { eventually } from '../testing/server.js';
import {
  can,
  created,
  person,
  readyPartition,
  startTenancyFixture,
  tenantAdmin,
  type Person,
  type TenancyFixture,
} from './testing/tenancy-fixture.js';

const run = Date.now().toString(36);
const cluster = `tm-${run}`;
const tenant = `tm-t-${run}`;
const partition = `tm-p-${run}`;
const teamNames = ['default', 'sres', 'developers', 'resource', 'support'] as const;
const group = (team: string) => `${tenant}-${team}`;

type GroupBody = { metadata: { labels?: Record<string, string> }; spec: Record<string, unknown> };

let f: TenancyFixture;
let tadmin: Person;
const people: Record<string, Person> = {};

beforeAll(async () => {
  f = await startTenancyFixture(inject('kubeconfig'), cluster);
  await created(f.admin, 'tenants', {
    metadata: { name: tenant },
    spec: { clusters: [{ cluster, hard: { 'requests.cpu': '4', 'limits.cpu': '8', pods: '20' } }] },
  } as { metadata: { name: string } });
  await readyPartition(f.admin, {
    name: partition,
    tenant,
    cluster,
    hard: { 'requests.cpu': '1', pods: '5' },
  });
  tadmin = await tenantAdmin(f, { name: `tm-tadmin-${run}`, tenant });
  for (const team of ['plain', ...teamNames.slice(1)]) people[team] = await person(f, `tm-${team}-${run}`);
});

afterAll(async () => {
  await f?.admin.del(`/api/v1/tenants/${tenant}?cascade=true`);
  await f?.close();
});

const gone = (plural: string, name: string) =>
  eventually(`${plural}/${name} gone`, async () =>
    (await f.admin.get(`/api/v1/${plural}/${name}`)).status === 404 ? true : undefined,
  );

describe('a new tenant', () => {
  it('comes with the five teams of seed 000, each bound to its template on the tenant', async () => {
    for (const team of teamNames) {
      const g = await f.admin.get<GroupBody>(`/api/v1/groups/${group(team)}`);
      expect(g.status, team).toBe(200);
      expect(g.body.metadata.labels).toMatchObject({
        'shipyard.dev/tenant': tenant,
        'shipyard.dev/team': team,
      });
      expect(g.body.spec).toMatchObject({
        tenant,
        members: [],
        ...(team === 'default' ? { allMembers: true } : {}),
      });
      const b = await f.admin.get<{ spec: unknown }>(`/api/v1/roletemplatebindings/${group(team)}`);
      expect(b.body.spec).toEqual({
        subject: { kind: 'Group', name: group(team) },
        roleTemplate: `team-${team}`,
        scope: { level: 'tenant', name: tenant },
      });
    }
    const d = await f.admin.get<GroupBody>(`/api/v1/groups/${group('default')}`);
    expect(d.body.spec.displayName).toBe('Default Team');
  });

  it("lets the tenant admin fill the teams; a user in any of the tenant's groups is in its Default Team", async () => {
    for (const team of teamNames.slice(1)) {
      const r = await tadmin.api.patch(`/api/v1/groups/${group(team)}`, {
        spec: { members: [people[team]!.name] },
      });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
    }
    // A team of the tenant admin's own, with no grant: its member has only what the Default Team gives.
    const own = await tadmin.api.post('/api/v1/groups', {
      metadata: { name: `tm-newcomers-${run}` },
      spec: { tenant, members: [people.plain!.name] },
    });
    expect(own.status, JSON.stringify(own.body)).toBe(201);
    const listed = await tadmin.api.patch(`/api/v1/groups/${group('default')}`, { spec: { members: ['x'] } });
    expect([listed.status, listed.body.field]).toEqual([422, 'spec.members']);

    for (const p of Object.values(people)) {
      await eventually(`${p.name} sees the tenant`, async () =>
        (await p.api.get(`/api/v1/tenants/${tenant}`)).status === 200 ? true : undefined,
      );
      const session = await p.api.get<{ groups: string[] }>('/api/v1/session');
      expect(session.body.groups, p.name).toContain(group('default'));
    }
  });
});

describe('the permission matrix of the five teams', () => {
  // Rows: what is asked in the partition's namespace. Columns: plain (Default Team only), SREs, Developers,
  // Resource, Support. Everyone is also in the Default Team, which grants nothing inside partitions.
  const matrix: [verb: string, resource: string, expected: Record<string, boolean>][] = [
    ['get', 'pods', { plain: false, sres: true, developers: true, resource: true, support: true }],
    ['get', 'secrets', { plain: false, sres: false, developers: true, resource: false, support: false }],
    [
      'create',
      'deployments.apps',
      { plain: false, sres: false, developers: true, resource: false, support: true },
    ],
    [
      'patch',
      'deployments.apps/scale',
      { plain: false, sres: true, developers: true, resource: false, support: true },
    ],
    ['create', 'pods/exec', { plain: false, sres: true, developers: true, resource: false, support: false }],
    ['create', 'services', { plain: false, sres: true, developers: true, resource: false, support: true }],
    [
      'create',
      'ingresses.networking.k8s.io',
      { plain: false, sres: true, developers: true, resource: false, support: false },
    ],
    ['create', 'jobs.batch', { plain: false, sres: false, developers: true, resource: false, support: true }],
    ['get', 'resourcequotas', { plain: false, sres: true, developers: true, resource: true, support: true }],
    [
      'update',
      'resourcequotas',
      { plain: false, sres: false, developers: false, resource: false, support: false },
    ],
    [
      'create',
      'rolebindings.rbac.authorization.k8s.io',
      { plain: false, sres: false, developers: false, resource: false, support: false },
    ],
  ];

  it('is what the user cluster enforces, through the proxy', async () => {
    // The grants reach the cluster as RoleBindings: wait until the developer's is in force.
    await eventually('the teams bound in the partition', async () =>
      (await can(people.developers!, 'get', 'pods', partition)) ? true : undefined,
    );
    const got: Record<string, Record<string, boolean>> = {};
    const want: Record<string, Record<string, boolean>> = {};
    await Promise.all(
      Object.entries(people).map(async ([team, p]) => {
        for (const [verb, resource, expected] of matrix) {
          const cell = `${verb} ${resource}`;
          (got[cell] ??= {})[team] = await can(p, verb, resource, partition);
          (want[cell] ??= {})[team] = expected[team]!;
        }
      }),
    );
    expect(got).toEqual(want);
  });

  it('holds for real requests: developers deploy, SREs scale, Support rolls out, the others are refused', async () => {
    const deployment = `web-${run}`;
    const dev = await people.developers!.kubectl(
      'create',
      'deployment',
      deployment,
      '--image=nginx',
      '-n',
      partition,
    );
    expect(dev.code, dev.err).toBe(0);
    const scale = await people.sres!.kubectl(
      'scale',
      `deployment/${deployment}`,
      '--replicas=2',
      '-n',
      partition,
    );
    expect(scale.code, scale.err).toBe(0);
    const rollout = await people.support!.kubectl(
      'set',
      'image',
      `deployment/${deployment}`,
      'nginx=nginx:1.27',
      '-n',
      partition,
    );
    expect(rollout.code, rollout.err).toBe(0);
    for (const p of [people.plain!, people.resource!]) {
      const r = await p.kubectl('delete', `deployment/${deployment}`, '-n', partition);
      expect([r.code, r.err.includes('Forbidden')], p.name).toEqual([1, true]);
    }
    const secret = await people.support!.kubectl('get', 'secrets', '-n', partition);
    expect(secret.err).toContain('Forbidden');
  });

  it('on the platform: Resource allocates partitions, the others only see them', async () => {
    const body = (name: string) => ({
      metadata: { name },
      spec: { tenant, cluster, hard: { 'requests.cpu': '500m' } },
    });
    for (const team of ['plain', 'sres', 'developers', 'support']) {
      const r = await people[team]!.api.post('/api/v1/partitions', body(`tm-${team}-${run}`));
      expect(r.status, team).toBe(403);
      const list = await people[team]!.api.get<{ items: { metadata: { name: string } }[] }>(
        '/api/v1/partitions',
      );
      expect(
        list.body.items.map((p) => p.metadata.name),
        team,
      ).toEqual([partition]);
    }
    const name = `tm-res-${run}`;
    const made = await people.resource!.api.post('/api/v1/partitions', body(name));
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    const resized = await people.resource!.api.patch(`/api/v1/partitions/${name}`, {
      spec: { hard: { 'requests.cpu': '1' } },
    });
    expect(resized.status).toBe(200);
    expect((await people.resource!.api.del(`/api/v1/partitions/${name}`)).status).toBe(200);
    // Teams are the tenant admin's to change, not their members'.
    const r = await people.resource!.api.patch(`/api/v1/groups/${group('resource')}`, {
      spec: { members: [] },
    });
    expect(r.status).toBe(403);
  });

  it('follows membership: out of every team, out of the Default Team and the tenant', async () => {
    const p = people.sres!;
    const r = await tadmin.api.patch(`/api/v1/groups/${group('sres')}`, { spec: { members: [] } });
    expect(r.status).toBe(200);
    await eventually(`${p.name} no longer sees the tenant`, async () =>
      (await p.api.get(`/api/v1/tenants/${tenant}`)).status === 403 ? true : undefined,
    );
    await eventually(`${p.name} no longer gets pods`, async () =>
      (await can(p, 'get', 'pods', partition)) ? undefined : true,
    );
  });
});

describe('the teams of a tenant', () => {
  it('are refused all together, with the tenant, when a group of that name exists (409, nothing made)', async () => {
    const other = `tm-taken-${run}`;
    await created(f.admin, 'groups', { metadata: { name: `${other}-support` }, spec: {} } as {
      metadata: { name: string };
    });
    const r = await f.admin.post('/api/v1/tenants', { metadata: { name: other }, spec: {} });
    expect([r.status, r.body.message]).toEqual([
      409,
      `group "${other}-support" exists; the tenant's team would take its name`,
    ]);
    for (const team of ['default', 'sres', 'developers', 'resource']) {
      expect((await f.admin.get(`/api/v1/groups/${other}-${team}`)).status, team).toBe(404);
      expect((await f.admin.get(`/api/v1/roletemplatebindings/${other}-${team}`)).status, team).toBe(404);
    }
    expect((await f.admin.get(`/api/v1/tenants/${other}`)).status).toBe(404);
    await f.admin.del(`/api/v1/groups/${other}-support`);
  });

  it('take their grants along when deleted, so a group made again under the name has none', async () => {
    const r = await tadmin.api.del(`/api/v1/groups/${group('support')}`);
    expect(r.status).toBe(200);
    await gone('roletemplatebindings', group('support'));
    const again = await tadmin.api.post('/api/v1/groups', {
      metadata: { name: group('support') },
      spec: { tenant, members: [people.plain!.name] },
    });
    expect(again.status).toBe(201);
    expect((await f.admin.get(`/api/v1/roletemplatebindings/${group('support')}`)).status).toBe(404);
  });

  it('go with the tenant, with every grant on it and its partitions', async () => {
    const onPartition = `tm-on-partition-${run}`;
    await created(f.admin, 'roletemplatebindings', {
      metadata: { name: onPartition },
      spec: {
        subject: { kind: 'User', name: people.plain!.name },
        roleTemplate: 'partition-viewer',
        scope: { level: 'partition', name: partition },
      },
    } as { metadata: { name: string } });
    const r = await f.admin.del(`/api/v1/tenants/${tenant}?cascade=true`);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    for (const team of teamNames) {
      await gone('groups', group(team));
      await gone('roletemplatebindings', group(team));
    }
    await gone('groups', `tm-newcomers-${run}`);
    await gone('roletemplatebindings', `tm-tadmin-${run}`);
    await gone('roletemplatebindings', onPartition);
  });
});
