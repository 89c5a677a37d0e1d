// Who may do what to which platform object, through the real API over a real management cluster: one user
// per built-in role template, a table of expectations, filtered lists, escalation and group membership.
import { kindList, type KindDef } from '@shipyard/api';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ApiError } from '../http/errors.js';
import { management, PlatformObjects } from '../kube/management.js';
import {
  ApiClient,
  eventually,
  startTestServer,
  testAdminPassword,
  type Reply,
  type TestServer,
} from '../testing/server.js';

const run = Date.now().toString(36);
const n = (s: string) => `az-${s}-${run}`;
const password = 'authz-test-password';

type Scope = { level: 'platform' } | { level: 'cluster' | 'tenant' | 'partition'; name: string };
type Spec = Record<string, unknown>;
type Fixture = { plural: string; name: string; spec: Spec };
type Item = { metadata: { name: string } };
type List = { items: Item[]; total: number };

const clusterA = n('ca');
const clusterB = n('cb');
const tenantA = n('ta');
const tenantB = n('tb');
const partition = (tenant: string, cluster: string): Spec => ({ tenant, cluster, hard: {} });
/** Every tenant has a (zero) quota on both clusters, so that it may have partitions there. */
const tenantSpec: Spec = { clusters: [clusterA, clusterB].map((cluster) => ({ cluster, hard: {} })) };

const users = [
  'padmin',
  'cadmin',
  'cviewer',
  'tadmin',
  'tmember',
  'powner',
  'peditor',
  'pviewer',
  'none',
  'groupie',
] as const;
type UserKey = (typeof users)[number];
const userName = (u: string) => n(`u-${u}`);

/** The matrix's objects; a create makes a sibling with the same spec (same tenant, cluster, scope). */
const targets = {
  tenantA: { plural: 'tenants', name: tenantA, spec: tenantSpec },
  tenantB: { plural: 'tenants', name: tenantB, spec: tenantSpec },
  clusterA: { plural: 'clusters', name: clusterA, spec: {} },
  clusterB: { plural: 'clusters', name: clusterB, spec: {} },
  partitionA: { plural: 'partitions', name: n('pa1'), spec: partition(tenantA, clusterA) },
  partitionB: { plural: 'partitions', name: n('pb1'), spec: partition(tenantB, clusterB) },
  groupA: { plural: 'groups', name: n('ga'), spec: { tenant: tenantA, members: [userName('groupie')] } },
  bindingA: {
    plural: 'roletemplatebindings',
    name: n('ba'),
    spec: {
      subject: { kind: 'User', name: n('ghost') },
      roleTemplate: 'tenant-member',
      scope: { level: 'tenant', name: tenantA },
    },
  },
} satisfies Record<string, Fixture>;
type Target = keyof typeof targets;
const targetKeys = Object.keys(targets) as Target[];

// Two more partitions, so that every tenant has one on each cluster.
const partitionA2: Fixture = { plural: 'partitions', name: n('pa2'), spec: partition(tenantA, clusterB) };
const partitionB2: Fixture = { plural: 'partitions', name: n('pb2'), spec: partition(tenantB, clusterA) };

/** Each user's one binding (groupie's is the group's; none has none). */
const grantOf: Partial<Record<UserKey, [string, Scope]>> = {
  padmin: ['platform-admin', { level: 'platform' }],
  cadmin: ['cluster-admin', { level: 'cluster', name: clusterA }],
  cviewer: ['cluster-viewer', { level: 'cluster', name: clusterA }],
  tadmin: ['tenant-admin', { level: 'tenant', name: tenantA }],
  tmember: ['tenant-member', { level: 'tenant', name: tenantA }],
  powner: ['partition-owner', { level: 'partition', name: targets.partitionA.name }],
  peditor: ['partition-editor', { level: 'partition', name: targets.partitionA.name }],
  pviewer: ['partition-viewer', { level: 'partition', name: targets.partitionA.name }],
};
const bindingFixture = (key: string, subject: object, roleTemplate: string, scope: Scope): Fixture => ({
  plural: 'roletemplatebindings',
  name: n(`b-${key}`),
  spec: { subject, roleTemplate, scope },
});
const userBindings = Object.entries(grantOf).map(([u, [template, scope]]) =>
  bindingFixture(u, { kind: 'User', name: userName(u) }, template, scope),
);
const groupBinding = bindingFixture('group', { kind: 'Group', name: targets.groupA.name }, 'tenant-member', {
  level: 'tenant',
  name: tenantA,
});

/**
 * What each user may do to each target: g get, l list (the object is in the list), c create (a sibling),
 * u update, d delete. Anything not written here is denied. A `*` API group in a template means the
 * clusters' Kubernetes groups, not shipyard.dev: cluster-admin may update its Cluster but not delete it.
 */
const all = Object.fromEntries(targetKeys.map((t) => [t, 'glcud']));
const tenantReader = { tenantA: 'gl', partitionA: 'gl', groupA: 'gl' };
const may: Record<UserKey, Partial<Record<Target, string>>> = {
  padmin: all,
  cadmin: { clusterA: 'glu', partitionA: 'glcud' },
  cviewer: { clusterA: 'gl', partitionA: 'gl' },
  tadmin: { tenantA: 'gl', partitionA: 'glcud', groupA: 'glcud', bindingA: 'glcud' },
  tmember: tenantReader,
  powner: { partitionA: 'glu' },
  peditor: { partitionA: 'gl' },
  pviewer: { partitionA: 'gl' },
  none: {},
  groupie: tenantReader,
};

/** Every fixture whose name has the run in it, and who sees it in a list (beyond padmin, who sees all). */
const [pa1, pb1, pa2, pb2] = [
  targets.partitionA.name,
  targets.partitionB.name,
  partitionA2.name,
  partitionB2.name,
];
const bindingsOn = (...keys: string[]) => keys.map((k) => n(`b-${k}`));
const partitionBindings = bindingsOn('powner', 'peditor', 'pviewer');
const visible: Record<Exclude<UserKey, 'padmin'>, string[]> = {
  // cluster A's own scope, and the partitions on cluster A (of either tenant) with their bindings
  cadmin: [clusterA, pa1, pb2, ...bindingsOn('cadmin', 'cviewer'), ...partitionBindings],
  cviewer: [clusterA, pa1, pb2],
  tadmin: [
    tenantA,
    pa1,
    pa2,
    targets.groupA.name,
    targets.bindingA.name,
    ...bindingsOn('tadmin', 'tmember', 'group'),
    ...partitionBindings,
  ],
  tmember: [tenantA, pa1, pa2, targets.groupA.name],
  powner: [pa1, ...partitionBindings],
  peditor: [pa1],
  pviewer: [pa1],
  none: [],
  groupie: [tenantA, pa1, pa2, targets.groupA.name],
};

let server: TestServer;
let admin: ApiClient;
let kube: PlatformObjects;
const clients = {} as Record<UserKey, ApiClient>;
const made: Fixture[] = [];

const kindOf = (plural: string): KindDef => {
  const d = kindList.find((k) => k.plural === plural);
  if (!d) throw new Error(`no kind ${plural}`);
  return d;
};
const body = (f: Fixture) => ({ metadata: { name: f.name }, spec: f.spec });
const path = (f: { plural: string; name: string }) => `/api/v1/${f.plural}/${f.name}`;

/** Waits until the server's cache (which admin reads go through) shows the object, or no longer does. */
async function cached(f: { plural: string; name: string }, present = true): Promise<void> {
  await eventually(`${f.plural}/${f.name} ${present ? 'cached' : 'gone'}`, async () => {
    const r = await admin.get(path(f));
    return r.status === (present ? 200 : 404) ? true : undefined;
  });
}

/** Creates objects as admin (remembered for cleanup) and waits until the server's cache has them. */
async function create(...fixtures: Fixture[]): Promise<void> {
  made.push(...fixtures);
  const replies = await Promise.all(fixtures.map((f) => admin.post(`/api/v1/${f.plural}`, body(f))));
  expect(replies.map((r) => [r.status, r.body])).toEqual(replies.map((r) => [201, r.body]));
  await Promise.all(fixtures.map((f) => cached(f)));
}

/** Deletes straight from the management cluster; absent is fine. */
async function remove(f: { plural: string; name: string }): Promise<void> {
  await kube.delete(kindOf(f.plural), f.name).catch((err: unknown) => {
    if (!(err instanceof ApiError && err.status === 404)) throw err;
  });
}

const denied = (r: Reply) => {
  expect(r.status).toBe(403);
  expect(r.body).toEqual({ code: 403, reason: 'Forbidden', message: expect.stringContaining('may not') });
  return r.status;
};
const status = (r: Reply) => (r.status === 403 ? denied(r) : r.status);

function names(r: Reply<List>): string[] {
  expect(r.status).toBe(200);
  return r.body.items.map((i) => i.metadata.name);
}

async function list(c: ApiClient, plural: string, query: string): Promise<Reply<List>> {
  return c.get<List>(`/api/v1/${plural}?${query}`);
}

beforeAll(async () => {
  const kubeconfig = inject('kubeconfig');
  server = await startTestServer(kubeconfig);
  admin = await ApiClient.signedIn(server.url, 'admin', testAdminPassword);
  kube = new PlatformObjects(management({ kubeconfig, namespace: 'shipyard-system' }));
  const { tenantA: ta, tenantB: tb, clusterA: ca, clusterB: cb } = targets;
  await create(ta, tb, ca, cb);
  const userFixtures = users.map((u) => ({
    plural: 'users',
    name: userName(u),
    spec: { displayName: u, password },
  }));
  await create(
    targets.partitionA,
    targets.partitionB,
    partitionA2,
    partitionB2,
    targets.groupA,
    ...userFixtures,
  );
  await create(targets.bindingA, groupBinding, ...userBindings);
  await Promise.all(
    users.map(async (u) => {
      clients[u] = await ApiClient.signedIn(server.url, userName(u), password);
      const want = u === 'none' ? 0 : 1;
      await eventually(`${u} has its grants`, async () => {
        const s = await clients[u].get<{ grants: unknown[] }>('/api/v1/session');
        return s.body.grants.length === want ? true : undefined;
      });
    }),
  );
});

afterAll(async () => {
  if (server) {
    // Users through the API, so that their passwords and sessions go with them.
    const gone = made.filter((f) => f.plural === 'users').map((f) => admin.del(path(f)));
    for (const r of await Promise.all(gone)) expect([200, 404]).toContain(r.status);
    await server.close();
  }
  // Bindings and groups first, so that nothing refers to what goes after them.
  const order = [
    'roletemplatebindings',
    'groups',
    'partitions',
    'tenants',
    'clusters',
    'users',
    'roletemplates',
  ];
  for (const plural of order) await Promise.all(made.filter((f) => f.plural === plural).map(remove));
});

describe('lists', () => {
  const query = `filter=metadata.name~${run}`;
  const plurals = ['tenants', 'clusters', 'partitions', 'groups', 'roletemplatebindings'];

  it.each(users)('show %s exactly what it may see, with total counted after filtering', async (u) => {
    const sees = u === 'padmin' ? undefined : new Set<string>(visible[u]);
    for (const plural of plurals) {
      const expected = made
        .filter((f) => f.plural === plural && (sees?.has(f.name) ?? true))
        .map((f) => f.name)
        .sort();
      const r = await list(clients[u], plural, query);
      expect({ plural, names: names(r), total: r.body.total }).toEqual({
        plural,
        names: expected,
        total: expected.length,
      });
    }
  });

  it('apply filter, sort and pagination to what the caller may see', async () => {
    const page = async (u: UserKey, q: string) => {
      const r = await list(clients[u], 'partitions', q);
      return { names: names(r), total: r.body.total };
    };
    const mine = `filter=metadata.name~${run}&sort=-metadata.name`;
    expect(await page('padmin', `${mine}&pageSize=3&page=1`)).toEqual({ names: [pb2, pb1, pa2], total: 4 });
    expect(await page('padmin', `${mine}&pageSize=3&page=2`)).toEqual({ names: [pa1], total: 4 });
    // cluster-admin of A sees the partitions on cluster A, of both tenants
    expect(await page('cadmin', `${mine}&pageSize=1&page=1`)).toEqual({ names: [pb2], total: 2 });
    expect(await page('cadmin', `${mine}&pageSize=1&page=2`)).toEqual({ names: [pa1], total: 2 });
    expect(await page('cadmin', `${mine}&pageSize=1&page=3`)).toEqual({ names: [], total: 2 });
    expect(await page('cadmin', `filter=spec.tenant=${tenantA}`)).toEqual({ names: [pa1], total: 1 });
    expect(await page('padmin', `filter=spec.tenant=${tenantA}`)).toEqual({ names: [pa1, pa2], total: 2 });
    expect(await page('tadmin', `filter=spec.tenant=${tenantA}`)).toEqual({ names: [pa1, pa2], total: 2 });
    expect(await page('tadmin', `filter=spec.tenant=${tenantB}`)).toEqual({ names: [], total: 0 });
    expect(await page('tadmin', `filter=spec.tenant=${tenantA},spec.cluster=${clusterB}`)).toEqual({
      names: [pa2],
      total: 1,
    });
    expect(await page('groupie', mine)).toEqual({ names: [pa2, pa1], total: 2 });
    expect(await page('pviewer', `${mine}&pageSize=1`)).toEqual({ names: [pa1], total: 1 });
    expect(await page('none', mine)).toEqual({ names: [], total: 0 });
  });
});

type Verb = 'get' | 'list' | 'create' | 'update' | 'delete';
const verbLetter: Record<Verb, string> = { get: 'g', list: 'l', create: 'c', update: 'u', delete: 'd' };
const allowedAnswer: Record<Verb, number | string> = {
  get: 200,
  list: 'listed',
  create: 201,
  update: 200,
  delete: 200,
};
const deniedAnswer: Record<Verb, number | string> = {
  get: 403,
  list: 'hidden',
  create: 403,
  update: 403,
  delete: 403,
};

/** Does `verb` to the target as `u`; the answer's status ('listed'/'hidden' for list, which never 403s). */
const act: Record<Verb, (u: UserKey, t: Target) => Promise<number | string>> = {
  get: async (u, t) => status(await clients[u].get(path(targets[t]))),
  list: async (u, t) => {
    const f = targets[t];
    const r = await list(clients[u], f.plural, `filter=metadata.name=${f.name}`);
    expect(r.body.total).toBe(r.body.items.length);
    return names(r).includes(f.name) ? 'listed' : 'hidden';
  },
  create: async (u, t) => {
    const f = targets[t];
    const sibling = { ...f, name: n(`new-${t.toLowerCase()}-${u}`) };
    const r = await clients[u].post(`/api/v1/${f.plural}`, body(sibling));
    if (r.status === 201) await remove(sibling);
    return status(r);
  },
  update: async (u, t) =>
    status(await clients[u].patch(path(targets[t]), { metadata: { labels: { 'touched-by': u } } })),
  delete: async (u, t) => {
    const f = targets[t];
    const r = await clients[u].del(path(f));
    if (r.status === 200) {
      // Put it back as it was, for the users that follow.
      await cached(f, false);
      await create(f);
    }
    return status(r);
  },
};

describe.each(Object.keys(verbLetter) as Verb[])('%s', (verb) => {
  it.each(users)('as %s', async (u) => {
    const expected: Record<string, number | string> = {};
    const actual: Record<string, number | string> = {};
    for (const t of targetKeys) {
      const allowed = may[u][t]?.includes(verbLetter[verb]) ?? false;
      expected[t] = (allowed ? allowedAnswer : deniedAnswer)[verb];
      // Once authorized, deleting a tenant that has partitions is refused (409) unless cascade is asked for.
      if (allowed && verb === 'delete' && targets[t].plural === 'tenants') expected[t] = 409;
      actual[t] = await act[verb](u, t);
    }
    expect(actual).toEqual(expected);
  });
});

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

describe('granting', () => {
  const onPartitionA: Scope = { level: 'partition', name: pa1 };

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
    expect((await admin.get(`/api/v1/roletemplatebindings/${name}`)).status).toBe(404);
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
    const c = await ApiClient.signedIn(server.url, user.name, password);
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

describe('group membership', () => {
  it('gives the group’s rights, and removing the user takes them away within seconds', async () => {
    const groupie = clients.groupie;
    expect((await groupie.get(path(targets.tenantA))).status).toBe(200);
    expect((await groupie.get<{ groups: string[] }>('/api/v1/session')).body.groups).toEqual([
      targets.groupA.name,
    ]);
    const r = await admin.patch(path(targets.groupA), { spec: { members: [] } });
    expect(r.status).toBe(200);
    await loses('groupie', targets.tenantA);
    expect((await groupie.get(path(targets.partitionA))).status).toBe(403);
    expect(names(await list(groupie, 'partitions', `filter=metadata.name~${run}`))).toEqual([]);
    expect((await groupie.get<{ groups: string[] }>('/api/v1/session')).body.groups).toEqual([]);
    // and adding them back gives the rights back
    expect(
      (await admin.patch(path(targets.groupA), { spec: { members: [userName('groupie')] } })).status,
    ).toBe(200);
    await gets('groupie', targets.tenantA);
  });
});

describe('bindings that cannot apply', () => {
  const post = (name: string, spec: Spec) =>
    admin.post('/api/v1/roletemplatebindings', { metadata: { name }, spec });
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
    expect((await admin.get(`/api/v1/roletemplatebindings/${name}`)).status).toBe(404);
  });
});
