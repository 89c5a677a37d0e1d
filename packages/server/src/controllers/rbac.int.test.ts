// Cluster RBAC from the platform's role templates and bindings, in a second local cluster joined directly:
// what the controller writes there, and what users may then do through the kube proxy as themselves.
import { down, kubectl, up, type LocalCluster } from '@shipyard/localkube';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { KubeApiError } from '../runtime/kube-errors.js';
import { kubeRequest } from '../runtime/kube-request.js';
import { loadKubeConfig } from '../runtime/testing/cluster.js';
import { joinDirect } from '../testing/clusters.js';
import {
  ApiClient,
  eventually,
  startTestServer,
  testAdminPassword,
  type TestServer,
} from '../testing/server.js';

const kubeconfig = inject('kubeconfig');
const run = Date.now().toString(36);
const n = (s: string) => `rb-${s}-${run}`;
const cluster = `rbac-${run}`;
const tenant = n('t');
const p1 = n('p1');
const p2 = n('p2');
const ns1 = n('ns1');
const ns2 = n('ns2');
const alice = n('alice');
const bob = n('bob');
const devs = n('devs');
const secretsReader = n('secrets');
const noop = n('noop');
const p3 = n('p3');
const ns3 = n('ns3');
const unreachable = n('down');
const bindings = {
  alice: n('alice-view'),
  bob: n('bob-view'),
  devs: n('devs-secrets'),
  late: n('alice-late'),
};
const password = 'rbac-test-password';
const rbac = '/apis/rbac.authorization.k8s.io/v1';

let server: TestServer;
let admin: ApiClient;
let user: LocalCluster;
const tokens: Record<string, string> = {};

type Obj = {
  metadata: {
    name: string;
    namespace?: string;
    uid: string;
    resourceVersion: string;
    labels?: Record<string, string>;
  };
  roleRef?: { name: string };
  subjects?: { kind: string; name: string }[];
  rules?: { apiGroups: string[]; resources: string[]; verbs: string[] }[];
};
type Condition = { type: string; status: string; reason?: string; message?: string };

/** An object of the user cluster, as its admin; undefined when it does not exist. */
async function inCluster(path: string): Promise<Obj | undefined> {
  try {
    return (await kubeRequest(loadKubeConfig(user.kubeconfig), { path })) as Obj;
  } catch (err) {
    if (err instanceof KubeApiError && err.status === 404) return undefined;
    throw err;
  }
}

const roleBinding = (ns: string, binding: string) =>
  inCluster(`${rbac}/namespaces/${ns}/rolebindings/${encodeURIComponent(`shipyard:${binding}`)}`);

/** The HTTP status of a GET through the proxy with a user's API token. */
async function asUser(who: string, path: string): Promise<number> {
  const r = await fetch(`${server.url}/k8s/clusters/${cluster}${path}`, {
    headers: { authorization: `Bearer ${tokens[who]}` },
  });
  await r.body?.cancel();
  return r.status;
}

/** Waits until a user's GET answers `status`; the milliseconds it took. */
async function until(who: string, path: string, status: number, timeoutMs = 15_000): Promise<number> {
  const started = performance.now();
  await eventually(
    `${who} GET ${path} → ${status}`,
    async () => ((await asUser(who, path)) === status ? true : undefined),
    timeoutMs,
  );
  return Math.round(performance.now() - started);
}

async function created(plural: string, body: unknown): Promise<void> {
  const r = await admin.post(`/api/v1/${plural}`, body);
  expect(r.status, JSON.stringify(r.body)).toBe(201);
}

/** Waits until the server's cache (what the controller reads) holds the object. */
async function cached(plural: string, name: string): Promise<void> {
  await eventually(`${plural}/${name} in the cache`, async () =>
    (await admin.get(`/api/v1/${plural}/${name}`)).status === 200 ? true : undefined,
  );
}

function binding(name: string, subject: { kind: string; name: string }, roleTemplate: string, scope: object) {
  return { metadata: { name }, spec: { subject, roleTemplate, scope } };
}

async function conditions(): Promise<Condition[]> {
  const r = await admin.get<{ status?: { conditions?: Condition[] } }>(`/api/v1/clusters/${cluster}`);
  return r.body.status?.conditions ?? [];
}

const synced = async () => (await conditions()).find((x) => x.type === 'RBACSynced');
const probe = {
  type: 'Probe',
  status: 'True',
  reason: 'Test',
  message: '',
  lastTransitionTime: '2024-01-01T00:00:00Z',
};

/** Writes to RBAC objects the user cluster's apiserver has served (its apiserver_request_total). */
async function rbacWrites(): Promise<number> {
  const text = (await kubectl(user, ['get', '--raw', '/metrics'])).split('\n');
  let sum = 0;
  for (const line of text) {
    if (!line.startsWith('apiserver_request_total{') || !line.includes('group="rbac.authorization.k8s.io"'))
      continue;
    if (/verb="(APPLY|PATCH|POST|PUT|DELETE|CREATE|UPDATE)"/.test(line)) sum += Number(line.split(' ').pop());
  }
  return sum;
}

beforeAll(async () => {
  [server, user] = await Promise.all([startTestServer(kubeconfig), up({ name: cluster, nodes: 1 })]);
  admin = await ApiClient.signedIn(server.url, 'admin', testAdminPassword);
  for (const ns of [ns1, ns2]) await kubectl(user, ['create', 'namespace', ns]);
  // Someone's own RoleBinding, not labelled: the controller never touches it.
  await kubectl(user, [
    'create',
    'rolebinding',
    'by-hand',
    '-n',
    ns1,
    '--clusterrole=view',
    '--user=someone',
  ]);
  await joinDirect(admin, kubeconfig, cluster, user.kubeconfig);
  await cached('clusters', cluster);
  await created('tenants', { metadata: { name: tenant }, spec: { clusters: [{ cluster, hard: {} }] } });
  await cached('tenants', tenant);
  // The namespaces exist already: the system admin adopts them for the partitions.
  await created('partitions', {
    metadata: { name: p1 },
    spec: { tenant, cluster, namespace: ns1, adopt: true },
  });
  await created('partitions', {
    metadata: { name: p2 },
    spec: { tenant, cluster, namespace: ns2, adopt: true },
  });
  await created('groups', { metadata: { name: devs }, spec: { tenant, members: [] } });
  await created('roletemplates', {
    metadata: { name: secretsReader },
    spec: {
      level: 'tenant',
      rules: [
        { apiGroups: ['shipyard.dev'], resources: ['tenants'], verbs: ['get'] },
        { apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list'] },
      ],
    },
  });
  for (const who of [alice, bob]) {
    await created('users', { metadata: { name: who }, spec: { password } });
    const session = await ApiClient.signedIn(server.url, who, password);
    const t = await session.post<{ token: string }>('/api/v1/tokens', { name: 'rbac-test' });
    expect(t.status).toBe(201);
    tokens[who] = t.body.token;
  }
  for (const [plural, name] of [
    ['partitions', p1],
    ['partitions', p2],
    ['groups', devs],
    ['roletemplates', secretsReader],
  ] as const)
    await cached(plural, name);
});

afterAll(async () => {
  for (const [plural, name] of [
    ...Object.values(bindings).map((b) => ['roletemplatebindings', b] as const),
    ['roletemplates', secretsReader],
    ['roletemplates', noop],
    ['groups', devs],
    ['users', alice],
    ['users', bob],
    ['partitions', p1],
    ['partitions', p2],
    ['partitions', p3],
    ['tenants', tenant],
    ['clusters', cluster],
    ['clusters', unreachable],
  ] as const) {
    await admin?.del(`/api/v1/${plural}/${name}`);
  }
  await kubectl({ kubeconfig }, ['delete', 'secret', '-n', 'shipyard-system', `kc-${cluster}`]).catch(
    () => undefined,
  );
  await server?.close();
  if (user) await down(cluster);
});

describe('cluster RBAC from role templates and bindings', () => {
  it('gives a platform admin a ClusterRoleBinding in the user cluster', async () => {
    const crb = await eventually('the admin ClusterRoleBinding', () =>
      inCluster(`${rbac}/clusterrolebindings/${encodeURIComponent('shipyard:admin-platform-admin')}`),
    );
    expect(crb.roleRef?.name).toBe('shipyard:template:platform-admin');
    expect(crb.subjects).toEqual([expect.objectContaining({ kind: 'User', name: 'admin' })]);
    expect(crb.metadata.labels).toMatchObject({
      'app.kubernetes.io/managed-by': 'shipyard',
      'shipyard.dev/binding': 'admin-platform-admin',
    });
    const role = await inCluster(
      `${rbac}/clusterroles/${encodeURIComponent('shipyard:template:platform-admin')}`,
    );
    // The platform rule (shipyard.dev) is the server's to enforce; `*` means every group of the cluster.
    expect(role?.rules).toEqual([{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }]);
    // Nothing else gives the admin rights in this fresh cluster: through the proxy they now have them all.
    expect((await admin.get(`/k8s/clusters/${cluster}/api/v1/namespaces`)).status).toBe(200);
  });

  it('binds a partition template in its namespace: exactly its rights, there only', async () => {
    await created(
      'roletemplatebindings',
      binding(bindings.alice, { kind: 'User', name: alice }, 'partition-viewer', {
        level: 'partition',
        name: p1,
      }),
    );
    const rb = await eventually('the RoleBinding', () => roleBinding(ns1, bindings.alice));
    expect(rb.roleRef?.name).toBe('shipyard:template:partition-viewer');
    expect(rb.subjects).toEqual([expect.objectContaining({ kind: 'User', name: alice })]);
    expect(rb.metadata.labels).toMatchObject({
      'app.kubernetes.io/managed-by': 'shipyard',
      'shipyard.dev/binding': bindings.alice,
    });
    console.log(`alice can list pods after ${await until(alice, `/api/v1/namespaces/${ns1}/pods`, 200)} ms`);
    expect(await asUser(alice, `/api/v1/namespaces/${ns1}/secrets`)).toBe(403);
    expect(await asUser(alice, `/api/v1/namespaces/${ns2}/pods`)).toBe(403);

    // Another template: the roleRef cannot change in place, so the RoleBinding is made anew.
    const r = await admin.patch(`/api/v1/roletemplatebindings/${bindings.alice}`, {
      spec: { roleTemplate: 'partition-editor' },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const replaced = await eventually('the RoleBinding with the new roleRef', async () => {
      const now = await roleBinding(ns1, bindings.alice);
      return now?.roleRef?.name === 'shipyard:template:partition-editor' ? now : undefined;
    });
    expect(replaced.metadata.uid).not.toBe(rb.metadata.uid);
    await until(alice, `/api/v1/namespaces/${ns1}/secrets`, 200);
  });

  it('binds a group as the proxy impersonates it: access follows membership', async () => {
    // Bob reaches the cluster through a partition of his own; the group's grant is about secrets.
    await created(
      'roletemplatebindings',
      binding(bindings.bob, { kind: 'User', name: bob }, 'partition-viewer', {
        level: 'partition',
        name: p2,
      }),
    );
    await created(
      'roletemplatebindings',
      binding(bindings.devs, { kind: 'Group', name: devs }, secretsReader, { level: 'tenant', name: tenant }),
    );
    // A tenant binding: one RoleBinding in each of the tenant's partitions on the cluster.
    for (const ns of [ns1, ns2]) {
      const rb = await eventually(`the group's RoleBinding in ${ns}`, () => roleBinding(ns, bindings.devs));
      expect(rb.subjects).toEqual([expect.objectContaining({ kind: 'Group', name: `shipyard:${devs}` })]);
      expect(rb.roleRef?.name).toBe(`shipyard:template:${secretsReader}`);
    }
    const role = await inCluster(
      `${rbac}/clusterroles/${encodeURIComponent(`shipyard:template:${secretsReader}`)}`,
    );
    expect(role?.rules).toEqual([{ apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list'] }]);
    await until(bob, `/api/v1/namespaces/${ns2}/pods`, 200);
    expect(await asUser(bob, `/api/v1/namespaces/${ns1}/secrets`)).toBe(403);

    expect((await admin.patch(`/api/v1/groups/${devs}`, { spec: { members: [bob] } })).status).toBe(200);
    const joined = await until(bob, `/api/v1/namespaces/${ns1}/secrets`, 200, 5_000);
    expect(await asUser(bob, `/api/v1/namespaces/${ns2}/secrets`)).toBe(200);
    expect((await admin.patch(`/api/v1/groups/${devs}`, { spec: { members: [] } })).status).toBe(200);
    const left = await until(bob, `/api/v1/namespaces/${ns1}/secrets`, 403, 5_000);
    console.log(`group membership: access after ${joined} ms, gone after ${left} ms`);
  });

  it('removes the RoleBinding of a deleted binding within seconds, and never objects it did not make', async () => {
    const byHand = await inCluster(`${rbac}/namespaces/${ns1}/rolebindings/by-hand`);
    const deletedAt = performance.now();
    expect((await admin.del(`/api/v1/roletemplatebindings/${bindings.alice}`)).status).toBe(200);
    await eventually('the RoleBinding gone', async () =>
      (await roleBinding(ns1, bindings.alice)) ? undefined : true,
    );
    const ms = Math.round(performance.now() - deletedAt);
    console.log(`RoleBinding pruned ${ms} ms after its binding was deleted`);
    expect(ms).toBeLessThan(5_000);
    const after = await inCluster(`${rbac}/namespaces/${ns1}/rolebindings/by-hand`);
    expect(after?.metadata.uid).toBe(byHand?.metadata.uid);
    expect(after?.metadata.resourceVersion).toBe(byHand?.metadata.resourceVersion);
  });

  it("binds in a new partition's namespace once the partition controller has made it", async () => {
    const made = performance.now();
    await created('partitions', { metadata: { name: p3 }, spec: { tenant, cluster, namespace: ns3 } });
    // The group's tenant binding now wants a RoleBinding in ns3 too. The partition controller makes the
    // namespace (until then RBACSynced says NamespacesPending: cluster-rbac.test.ts), and the binding follows.
    await eventually('the RoleBinding in the new namespace', () => roleBinding(ns3, bindings.devs), 20_000);
    console.log(`RoleBinding made ${Math.round(performance.now() - made)} ms after its partition`);
    expect(await roleBinding(ns1, bindings.devs)).toBeDefined(); // the others are there all the same
    await eventually('RBACSynced True', async () => ((await synced())?.status === 'True' ? true : undefined));
  });

  it('reports RBACSynced on the Cluster, keeps the conditions others write, and rewrites nothing unchanged', async () => {
    const before = await eventually('RBACSynced True', async () => {
      const c = await synced();
      return c?.status === 'True' ? c : undefined;
    });
    expect(before.reason).toBe('Synced');

    // Another controller's condition (the Cluster's status is shared), written straight to the status.
    await kubeRequest(loadKubeConfig(kubeconfig), {
      method: 'PATCH',
      path: `/apis/shipyard.dev/v1alpha1/clusters/${cluster}/status`,
      body: { status: { conditions: [...(await conditions()), probe] } },
      contentType: 'application/merge-patch+json',
    });

    // A new template makes every cluster reconcile: one ClusterRole more, nothing else written.
    const writesBefore = await rbacWrites();
    await created('roletemplates', {
      metadata: { name: noop },
      spec: { level: 'cluster', rules: [{ apiGroups: [''], resources: ['nodes'], verbs: ['get'] }] },
    });
    const noopRole = `${rbac}/clusterroles/${encodeURIComponent(`shipyard:template:${noop}`)}`;
    await eventually('the new ClusterRole', () => inCluster(noopRole));
    const after = await eventually('RBACSynced counting it', async () => {
      const c = await synced();
      return c && c.message !== before.message ? c : undefined;
    });
    expect(after.status).toBe('True');
    expect(await rbacWrites()).toBe(writesBefore + 1);
    expect((await conditions()).find((x) => x.type === 'Probe')).toMatchObject({
      status: 'True',
      reason: 'Test',
    });

    // A deleted template's ClusterRole goes too.
    expect((await admin.del(`/api/v1/roletemplates/${noop}`)).status).toBe(200);
    await eventually('the ClusterRole pruned', async () => ((await inCluster(noopRole)) ? undefined : true));
  });

  it('reports a cluster it cannot reach, and goes on with the others', async () => {
    await created('clusters', {
      metadata: { name: unreachable },
      spec: { connection: { mode: 'direct', kubeconfigSecret: `kc-${unreachable}` } },
    });
    const c = await eventually('RBACSynced ClusterUnreachable', async () => {
      const r = await admin.get<{ status?: { conditions?: Condition[] } }>(`/api/v1/clusters/${unreachable}`);
      return r.body.status?.conditions?.find((x) => x.type === 'RBACSynced');
    });
    expect(c).toMatchObject({ status: 'False', reason: 'ClusterUnreachable' });
    expect(c.message).toContain(`kc-${unreachable}`);
    // The reachable cluster still follows changes.
    await created(
      'roletemplatebindings',
      binding(bindings.late, { kind: 'User', name: alice }, 'partition-viewer', {
        level: 'partition',
        name: p1,
      }),
    );
    await eventually('the RoleBinding', () => roleBinding(ns1, bindings.late));
  });
});
