// Granting roles through the real API over a real management cluster, as one user per built-in role template
// (testing/authz-world.ts): who may bind what where (no escalation), rights that follow group membership, and
// bindings that cannot apply.
import { describe, expect, it } from 'vitest';
import { ApiClient, eventually } from '../testing/server.js';
import {
  authzWorld,
  bindingFixture,
  clusterA,
  denied,
  list,
  n,
  names,
  pa1,
  pa2,
  password,
  path,
  run,
  targets,
  tenantA,
  tenantB,
  userName,
  type Fixture,
  type Scope,
  type Spec,
  type UserKey,
} from '../testing/authz-world.js';

const world = authzWorld();
const { clients, made, cached, create } = world;

/** A binding of `template` at `scope` to `subject`, posted by `c`. */
function bind(c: ApiClient, name: string, template: string, scope: Scope, subject = userName('none')) {
  return c.post('/api/v1/roletemplatebindings', {
    metadata: { name },
    spec: { subject: { kind: 'User', name: subject }, roleTemplate: template, scope },
  });
}

const gets = (u: UserKey, f: { plural: string; name: string }) =>
  eventually(`${u} gets ${f.name}`, async () =>
    (await clients[u].get(path(f))).status === 200 ? true : undefined,
  );
const loses = (u: UserKey, f: { plural: string; name: string }) =>
  eventually(
    `${u} loses ${f.name}`,
    async () => ((await clients[u].get(path(f))).status === 403 ? true : undefined),
    5_000,
  );

const onPartitionA: Scope = { level: 'partition', name: pa1 };

describe('granting', () => {
  it('lets a tenant-admin bind partition-editor on a partition of their tenant, and take it back', async () => {
    expect((await clients.none.get(path(targets.partitionA))).status).toBe(403);
    const name = n('esc-ok');
    const r = await bind(clients.tadmin, name, 'partition-editor', onPartitionA);
    expect(r.status).toBe(201);
    made.push({ plural: 'roletemplatebindings', name, spec: {} });
    await gets('none', targets.partitionA);
    await cached({ plural: 'roletemplatebindings', name });
    expect((await clients.tadmin.del(`/api/v1/roletemplatebindings/${name}`)).status).toBe(200);
    await loses('none', targets.partitionA);
  });

  it.each([
    ['tadmin', 'tenant-admin of another tenant', 'tenant-admin', { level: 'tenant', name: tenantB }],
    ['tadmin', 'platform-admin', 'platform-admin', { level: 'platform' }],
    ['tadmin', 'cluster-admin', 'cluster-admin', { level: 'cluster', name: clusterA }],
    ['powner', 'tenant-admin of their own tenant', 'tenant-admin', { level: 'tenant', name: tenantA }],
    ['powner', 'partition-owner of another partition', 'partition-owner', { level: 'partition', name: pa2 }],
    ['peditor', 'partition-viewer on their own partition', 'partition-viewer', onPartitionA],
    [
      'cviewer',
      'cluster-viewer on their own cluster',
      'cluster-viewer',
      { level: 'cluster', name: clusterA },
    ],
  ] as const)('refuses %s granting %s (403)', async (u, _what, template, scope) => {
    const name = n(`esc-${u}-${template}`);
    denied(await bind(clients[u], name, template, scope));
    denied(await bind(clients[u], `${name}-self`, template, scope, userName(u)));
    expect((await world.admin.get(`/api/v1/roletemplatebindings/${name}`)).status).toBe(404);
  });

  it('lets a partition-owner grant roles on their own partition only', async () => {
    const name = n('esc-owner-ok');
    expect((await bind(clients.powner, name, 'partition-viewer', onPartitionA)).status).toBe(201);
    made.push({ plural: 'roletemplatebindings', name, spec: {} });
  });

  it('refuses to grant a template whose permissions the granter does not hold there', async () => {
    // A custom role that may manage bindings in tenant A, but holds little else and may not `bind`.
    const binder: Fixture = {
      plural: 'roletemplates',
      name: n('binder'),
      spec: {
        level: 'tenant',
        rules: [
          { apiGroups: ['shipyard.dev'], resources: ['roletemplatebindings'], verbs: ['*'] },
          { apiGroups: ['shipyard.dev'], resources: ['tenants'], verbs: ['get', 'list'] },
        ],
      },
    };
    const reader: Fixture = {
      plural: 'roletemplates',
      name: n('tenant-reader'),
      spec: {
        level: 'tenant',
        rules: [{ apiGroups: ['shipyard.dev'], resources: ['tenants'], verbs: ['get'] }],
      },
    };
    const user: Fixture = { plural: 'users', name: userName('binder'), spec: { password } };
    await create(binder, reader, user);
    await create(
      bindingFixture('binder', { kind: 'User', name: user.name }, binder.name, {
        level: 'tenant',
        name: tenantA,
      }),
    );
    const c = await ApiClient.signedIn(world.server.url, user.name, password);
    const onTenantA: Scope = { level: 'tenant', name: tenantA };
    await eventually('binder holds its grant', async () => {
      const r = await c.get(path(targets.tenantA));
      return r.status === 200 ? true : undefined;
    });
    const covered = await bind(c, n('esc-covered'), reader.name, onTenantA);
    expect(covered.status).toBe(201);
    made.push({ plural: 'roletemplatebindings', name: n('esc-covered'), spec: {} });
    for (const template of ['tenant-member', 'tenant-admin']) {
      const r = await bind(c, n(`esc-binder-${template}`), template, onTenantA);
      expect(denied(r)).toBe(403);
      expect(r.body).toMatchObject({
        message: expect.stringContaining('you do not hold all of its permissions'),
      });
    }
  });
});

describe('no escalation through bind', () => {
  /** A template admin made at `level`, which the user at `scope` does not hold; they bind it to themselves. */
  async function selfGrant(u: UserKey, level: string, scope: Scope, rules: Spec[]) {
    const template: Fixture = { plural: 'roletemplates', name: n(`more-${u}`), spec: { level, rules } };
    await create(template);
    const name = n(`esc-self-${u}`);
    const r = await bind(clients[u], name, template.name, scope, userName(u));
    if (r.status === 201) made.push({ plural: 'roletemplatebindings', name, spec: {} });
    expect(denied(r)).toBe(403);
    expect(r.body).toMatchObject({
      message: expect.stringContaining('you do not hold all of its permissions'),
    });
    expect((await world.admin.get(`/api/v1/roletemplatebindings/${name}`)).status).toBe(404);
  }

  it("refuses a tenant-admin a template of admin's that would let them raise their own quota", async () => {
    const raise = [{ apiGroups: ['shipyard.dev'], resources: ['tenants'], verbs: ['update', 'patch'] }];
    await selfGrant('tadmin', 'tenant', { level: 'tenant', name: tenantA }, raise);
    const before = await world.admin.get<{ spec: unknown }>(path(targets.tenantA));
    const more = { spec: { clusters: [{ cluster: clusterA, hard: { 'requests.cpu': '1000' } }] } };
    expect((await clients.tadmin.patch(path(targets.tenantA), more)).status).toBe(403);
    expect((await world.admin.get<{ spec: unknown }>(path(targets.tenantA))).body.spec).toEqual(
      before.body.spec,
    );
  });

  it('refuses a partition-owner a template that would let them change their partition’s quota in the cluster', async () => {
    const quota = [
      { apiGroups: [''], resources: ['resourcequotas', 'limitranges'], verbs: ['update', 'patch'] },
    ];
    await selfGrant('powner', 'partition', { level: 'partition', name: pa1 }, quota);
  });

  it('lets a tenant-admin grant the teams’ templates and the partition templates they hold', async () => {
    for (const [template, scope] of [
      ['team-sres', { level: 'tenant', name: tenantA }],
      ['team-resource', { level: 'tenant', name: tenantA }],
      ['partition-owner', onPartitionA],
    ] as const) {
      const name = n(`ok-${template}`);
      const r = await bind(clients.tadmin, name, template, scope);
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      made.push({ plural: 'roletemplatebindings', name, spec: {} });
    }
  });
});

describe('group membership', () => {
  it('gives the group’s rights, and removing the user takes them away within seconds', async () => {
    const groupie = clients.groupie;
    expect((await groupie.get(path(targets.tenantA))).status).toBe(200);
    // In a group of tenant A, so in its Default Team too.
    expect((await groupie.get<{ groups: string[] }>('/api/v1/session')).body.groups).toEqual([
      targets.groupA.name,
      `${targets.tenantA.name}-default`,
    ]);
    const r = await world.admin.patch(path(targets.groupA), { spec: { members: [] } });
    expect(r.status).toBe(200);
    await loses('groupie', targets.tenantA);
    expect((await groupie.get(path(targets.partitionA))).status).toBe(403);
    expect(names(await list(groupie, 'partitions', `filter=metadata.name~${run}`))).toEqual([]);
    expect((await groupie.get<{ groups: string[] }>('/api/v1/session')).body.groups).toEqual([]);
    // and adding them back gives the rights back
    expect(
      (await world.admin.patch(path(targets.groupA), { spec: { members: [userName('groupie')] } })).status,
    ).toBe(200);
    await gets('groupie', targets.tenantA);
  });
});

describe('bindings that cannot apply', () => {
  const post = (name: string, spec: Spec) =>
    world.admin.post('/api/v1/roletemplatebindings', { metadata: { name }, spec });
  const subject = { kind: 'User', name: userName('none') };

  it.each([
    [
      'a template of another level',
      { roleTemplate: 'tenant-admin', scope: { level: 'partition', name: pa1 } },
      'spec.scope.level',
      /applies at tenant level, not partition/,
    ],
    [
      'a template that does not exist',
      { roleTemplate: n('missing'), scope: { level: 'tenant', name: tenantA } },
      'spec.roleTemplate',
      /does not exist/,
    ],
    [
      'a scope that does not exist',
      { roleTemplate: 'tenant-member', scope: { level: 'tenant', name: n('no-tenant') } },
      'spec.scope.name',
      /does not exist/,
    ],
  ] as const)('are refused with 422 naming the field: %s', async (_what, spec, field, message) => {
    const name = n(`bad-${field.replace(/\W/g, '').toLowerCase()}`);
    const r = await post(name, { subject, ...spec });
    expect(r.status).toBe(422);
    expect(r.body).toEqual({ code: 422, reason: 'Invalid', field, message: expect.stringMatching(message) });
    expect((await world.admin.get(`/api/v1/roletemplatebindings/${name}`)).status).toBe(404);
  });
});
