/**
 * The platform objects and users that the authz integration tests share: two clusters, two tenants with a
 * partition on each cluster, a group, one user per built-in role template (and one with none, and one in the
 * group), each bound once. authzWorld() makes them, as admin through the real API of a test server of the file's
 * own, signs every user in, and removes them after the file. Names hold the run, so files do not meet.
 */
import { kindList, type KindDef } from '@shipyard/api';
import { afterAll, beforeAll, expect, inject } from 'vitest';
import { teams } from '../authz/team-templates.js';
import { ApiError } from '../http/errors.js';
import { management, PlatformObjects } from '../kube/management.js';
import { teamGroupName } from '../tenancy/tenant-teams.js';
import { ApiClient, eventually, startTestServer, type Reply, type TestServer } from './server.js';

export const run = Date.now().toString(36);
export const n = (s: string) => `az-${s}-${run}`;
export const password = 'authz-test-password';

export type Scope = { level: 'platform' } | { level: 'cluster' | 'tenant' | 'partition'; name: string };
export type Spec = Record<string, unknown>;
export type Fixture = { plural: string; name: string; spec: Spec };
type Item = { metadata: { name: string } };
export type List = { items: Item[]; total: number };

export const clusterA = n('ca');
export const clusterB = n('cb');
export const tenantA = n('ta');
export const tenantB = n('tb');
const partition = (tenant: string, cluster: string): Spec => ({ tenant, cluster, hard: {} });
/** Every tenant has a (zero) quota on both clusters, so that it may have partitions there. */
const tenantSpec: Spec = { clusters: [clusterA, clusterB].map((cluster) => ({ cluster, hard: {} })) };

export const users = [
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
export type UserKey = (typeof users)[number];
export const userName = (u: string) => n(`u-${u}`);

/** The matrix's objects; a create makes a sibling with the same spec (same tenant, cluster, scope). */
export const targets = {
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
      subject: { kind: 'User', name: n('u-subject') },
      roleTemplate: 'tenant-member',
      scope: { level: 'tenant', name: tenantA },
    },
  },
} satisfies Record<string, Fixture>;
export type Target = keyof typeof targets;
export const targetKeys = Object.keys(targets) as Target[];

/** The groups (and their bindings, of the same names) a tenant comes with: its teams. */
export const teamNames = (tenant: string) => teams.map(({ team }) => teamGroupName(tenant, team));
const teamFixtures = (tenant: string): Fixture[] =>
  teamNames(tenant).flatMap((name) => [
    { plural: 'groups', name, spec: {} },
    { plural: 'roletemplatebindings', name, spec: {} },
  ]);

// Two more partitions, so that every tenant has one on each cluster.
const partitionA2: Fixture = { plural: 'partitions', name: n('pa2'), spec: partition(tenantA, clusterB) };
const partitionB2: Fixture = { plural: 'partitions', name: n('pb2'), spec: partition(tenantB, clusterA) };
export const [pa1, pb1, pa2, pb2] = [
  targets.partitionA.name,
  targets.partitionB.name,
  partitionA2.name,
  partitionB2.name,
];

/** Each user's one binding (groupie's is the group's; none has none). */
const grantOf: Partial<Record<UserKey, [string, Scope]>> = {
  padmin: ['platform-admin', { level: 'platform' }],
  cadmin: ['cluster-admin', { level: 'cluster', name: clusterA }],
  cviewer: ['cluster-viewer', { level: 'cluster', name: clusterA }],
  tadmin: ['tenant-admin', { level: 'tenant', name: tenantA }],
  tmember: ['tenant-member', { level: 'tenant', name: tenantA }],
  powner: ['partition-owner', { level: 'partition', name: pa1 }],
  peditor: ['partition-editor', { level: 'partition', name: pa1 }],
  pviewer: ['partition-viewer', { level: 'partition', name: pa1 }],
};
/** The binding named for `key` (b-`key`). */
export const bindingFixture = (
  key: string,
  subject: object,
  roleTemplate: string,
  scope: Scope,
): Fixture => ({
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

const kindOf = (plural: string): KindDef => {
  const d = kindList.find((k) => k.plural === plural);
  if (!d) throw new Error(`no kind ${plural}`);
  return d;
};
export const body = (f: Fixture) => ({ metadata: { name: f.name }, spec: f.spec });
export const path = (f: { plural: string; name: string }) => `/api/v1/${f.plural}/${f.name}`;

/** A 403 with the platform's reason; returns the status. */
export const denied = (r: Reply) => {
  expect(r.status).toBe(403);
  expect(r.body).toEqual({ code: 403, reason: 'Forbidden', message: expect.stringContaining('may not') });
  return r.status;
};
export const status = (r: Reply) => (r.status === 403 ? denied(r) : r.status);

/** The names in a list that must have been answered 200. */
export function names(r: Reply<List>): string[] {
  expect(r.status).toBe(200);
  return r.body.items.map((i) => i.metadata.name);
}

export async function list(c: ApiClient, plural: string, query: string): Promise<Reply<List>> {
  return c.get<List>(`/api/v1/${plural}?${query}`);
}

export type AuthzWorld = {
  /** Set in beforeAll. */
  server: TestServer;
  admin: ApiClient;
  /** Each user, signed in and holding its grants. */
  clients: Record<UserKey, ApiClient>;
  /** Everything created as admin (removed after the file). */
  made: Fixture[];
  /** Waits until the server's cache (which admin reads go through) shows the object, or no longer does. */
  cached(f: { plural: string; name: string }, present?: boolean): Promise<void>;
  /** Creates objects as admin (remembered for cleanup) and waits until the server's cache has them. */
  create(...fixtures: Fixture[]): Promise<void>;
  /** Deletes straight from the management cluster; absent is fine. */
  remove(f: { plural: string; name: string }): Promise<void>;
};

/** Makes the world in beforeAll and removes it in afterAll of the calling test file. */
export function authzWorld(): AuthzWorld {
  let kube: PlatformObjects;
  const world: AuthzWorld = {
    server: undefined as unknown as TestServer,
    admin: undefined as unknown as ApiClient,
    clients: {} as Record<UserKey, ApiClient>,
    made: [],
    cached: async (f, present = true) => {
      await eventually(`${f.plural}/${f.name} ${present ? 'cached' : 'gone'}`, async () => {
        const r = await world.admin.get(path(f));
        return r.status === (present ? 200 : 404) ? true : undefined;
      });
    },
    create: async (...fixtures) => {
      world.made.push(...fixtures);
      const replies = await Promise.all(
        fixtures.map((f) => world.admin.post(`/api/v1/${f.plural}`, body(f))),
      );
      expect(replies.map((r) => [r.status, r.body])).toEqual(replies.map((r) => [201, r.body]));
      await Promise.all(fixtures.map((f) => world.cached(f)));
    },
    remove: async (f) => {
      await kube.delete(kindOf(f.plural), f.name).catch((err: unknown) => {
        if (!(err instanceof ApiError && err.status === 404)) throw err;
      });
    },
  };

  beforeAll(async () => {
    const kubeconfig = inject('kubeconfig');
    world.server = await startTestServer(kubeconfig);
    world.admin = await ApiClient.asAdmin(world.server.url);
    kube = new PlatformObjects(management({ kubeconfig, namespace: 'shipyard-system' }));
    const { tenantA: ta, tenantB: tb, clusterA: ca, clusterB: cb } = targets;
    // A tenant's quota must name clusters that exist.
    await world.create(ca, cb);
    await world.create(ta, tb);
    // The tenants came with their teams: part of what the lists show, and removed after the file.
    world.made.push(...teamFixtures(ta.name), ...teamFixtures(tb.name));
    // bindingA's subject: a user with no sign-in of its own (a binding's user must exist).
    const userFixtures = [...users, 'subject'].map((u) => ({
      plural: 'users',
      name: userName(u),
      spec: { displayName: u, password },
    }));
    await world.create(targets.partitionA, targets.partitionB, partitionA2, partitionB2, ...userFixtures);
    // A group's members and a binding's group must exist first.
    await world.create(targets.groupA);
    await world.create(targets.bindingA, groupBinding, ...userBindings);
    await Promise.all(
      users.map(async (u) => {
        world.clients[u] = await ApiClient.signedIn(world.server.url, userName(u), password);
        // groupie is in a group of tenant A, so in its Default Team too (see tenancy/teams.int.test.ts).
        const want = u === 'none' ? 0 : u === 'groupie' ? 2 : 1;
        await eventually(`${u} has its grants`, async () => {
          const s = await world.clients[u].get<{ grants: unknown[] }>('/api/v1/session');
          return s.body.grants.length === want ? true : undefined;
        });
      }),
    );
  });

  afterAll(async () => {
    const { server, admin, made } = world;
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
    for (const plural of order) await Promise.all(made.filter((f) => f.plural === plural).map(world.remove));
  });

  return world;
}
