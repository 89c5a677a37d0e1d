// The watch channel tells a user only about lists they may read: platform kinds they may list somewhere, and
// the nodes, namespaces and events of clusters they may see; for users of each kind of grant, and the admin.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ApiClient, eventually, startTestServer, type TestServer } from '../testing/server.js';
import { lastSubscribed, openWatch } from './testing/watch-client.js';

const run = Date.now().toString(36);
const n = (s: string) => `wa-${s}-${run}`;
const clusterA = n('ca');
const clusterB = n('cb');
const tenant = n('t');
const partition = n('p');
const password = 'watch-access-password';
const grants = {
  tmember: ['tenant-member', { level: 'tenant', name: tenant }],
  pviewer: ['partition-viewer', { level: 'partition', name: partition }],
  cviewer: ['cluster-viewer', { level: 'cluster', name: clusterA }],
  padmin: ['platform-admin', { level: 'platform' }],
  none: undefined,
} as const;
type UserKey = keyof typeof grants;

let server: TestServer;
const world = {
  server: undefined as unknown as TestServer,
  admin: undefined as unknown as ApiClient,
  clients: {} as Record<UserKey, ApiClient>,
};
const made: string[] = [];

async function create(plural: string, name: string, spec: object): Promise<void> {
  const r = await world.admin.post(`/api/v1/${plural}`, { metadata: { name }, spec });
  expect([r.status, r.body]).toEqual([201, r.body]);
  made.unshift(`/api/v1/${plural}/${name}`);
}

beforeAll(async () => {
  server = world.server = await startTestServer(inject('kubeconfig'));
  world.admin = await ApiClient.asAdmin(server.url);
  await create('clusters', clusterA, {});
  await create('clusters', clusterB, {});
  await create('tenants', tenant, { clusters: [{ cluster: clusterA, hard: {} }] });
  await create('partitions', partition, { tenant, cluster: clusterA, hard: {} });
  for (const [who, grant] of Object.entries(grants)) {
    await create('users', n(who), { displayName: who, password });
    if (grant) {
      const [roleTemplate, scope] = grant;
      await create('roletemplatebindings', n(`b-${who}`), {
        subject: { kind: 'User', name: n(who) },
        roleTemplate,
        scope,
      });
    }
    const client = await ApiClient.signedIn(server.url, n(who), password);
    world.clients[who as UserKey] = client;
    await eventually(`${who} has its grants`, async () => {
      const s = await client.get<{ grants: unknown[] }>('/api/v1/session');
      return s.body.grants.length >= (grant ? 1 : 0) ? true : undefined;
    });
  }
});
afterAll(async () => {
  // Bindings, users, the partition, the tenant, then the clusters: in the reverse of their making.
  for (const path of made) await world.admin?.del(path);
  await server?.close();
});

/** What `who` is answered when subscribing to `keys`: the keys subscribed, and those refused. */
async function subscribe(who: UserKey | 'admin', keys: string[]) {
  const client = who === 'admin' ? world.admin : world.clients[who];
  const w = await openWatch(world.server.url, { cookie: client.cookie ?? '' });
  try {
    w.send({ subscribe: keys });
    await w.until((got) => lastSubscribed(got) !== undefined);
    const refused = w.got.flatMap((m) => {
      const e = m as { error?: string; key?: string };
      return e.error ? [e] : [];
    });
    return { subscribed: lastSubscribed(w.got) ?? [], refused };
  } finally {
    w.ws.close();
  }
}

describe('GET /api/v1/watch subscribes only to readable lists', () => {
  const everything = [
    'management/users',
    'management/tenants',
    'management/partitions',
    'management/roletemplates',
    'management/credentials',
    `${clusterA}/nodes`,
    `${clusterB}/nodes`,
    `${clusterB}/events`,
  ];

  it('refuses a tenant user the users list and the nodes of a cluster they do not see, and says which', async () => {
    const readable = {
      tmember: ['management/tenants', 'management/partitions'],
      pviewer: ['management/partitions'],
    };
    for (const who of ['tmember', 'pviewer'] as const) {
      const r = await subscribe(who, everything);
      expect(r.subscribed, who).toEqual([
        ...readable[who],
        'management/roletemplates',
        'management/credentials',
      ]);
      expect(r.refused.map((e) => e.key)).toEqual(
        expect.arrayContaining(['management/users', `${clusterA}/nodes`, `${clusterB}/nodes`]),
      );
      expect(r.refused).toContainEqual({ error: '"management/users": not allowed', key: 'management/users' });
      expect(r.refused).toContainEqual({
        error: `"${clusterB}/nodes": not allowed`,
        key: `${clusterB}/nodes`,
      });
    }
  });

  it("gives a cluster's viewer that cluster's lists only, and a user with no grant only what everyone reads", async () => {
    const viewer = await subscribe('cviewer', everything);
    expect(viewer.subscribed).toContain(`${clusterA}/nodes`);
    expect(viewer.refused.map((e) => e.key)).toEqual(
      expect.arrayContaining([`${clusterB}/nodes`, `${clusterB}/events`, 'management/users']),
    );
    const none = await subscribe('none', everything);
    expect(none.subscribed).toEqual(['management/roletemplates', 'management/credentials']);
  });

  it('gives the admins every list, and refuses a cluster that does not exist in the same words', async () => {
    for (const who of ['admin', 'padmin'] as const) {
      const r = await subscribe(who, [...everything, 'no-such-cluster/nodes', 'management/pods']);
      expect(r.subscribed, who).toEqual(everything);
      expect(r.refused, who).toEqual([
        { error: '"no-such-cluster/nodes": not allowed', key: 'no-such-cluster/nodes' },
        { error: '"management/pods": not allowed', key: 'management/pods' },
      ]);
    }
  });
});
