// kubectl and helm through /k8s/clusters/{c}: as the caller, with exactly the caller's permissions.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { kubectl } from '@shipyard/localkube';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { joinDirect, leaveDirect } from '../testing/clusters.js';
import {
  helmWith,
  kubeconfigFor as kubeconfigOf,
  kubectlWith,
  writeConfigMapChart,
} from '../testing/kube-tools.js';
import { addPartitionViewer } from '../testing/partition-viewer.js';
import { ApiClient, startTestServer, type TestServer } from '../testing/server.js';

const kubeconfig = inject('kubeconfig');
const local = { kubeconfig };
const run = Date.now().toString(36);
const cluster = `direct-${run}`;
const downCluster = `down-${run}`;
const tenant = `t-${run}`;
const partition = `p-${run}`;
const ns = `proxy-${run}`;
const rita = `rita-${run}`;
const nobody = `nobody-${run}`;
const password = 'rita-password-1';
let server: TestServer;
let admin: ApiClient;
let dir: string;
let removeRita: (() => Promise<void>) | undefined;

const kubeconfigFor = (client: ApiClient, name: string, c = cluster) => kubeconfigOf(client, c, dir, name);
const k = kubectlWith;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'proxy-'));
  server = await startTestServer(kubeconfig);
  admin = await ApiClient.asAdmin(server.url);
  // A direct cluster: the run's local cluster, by a kubeconfig kept in a Secret.
  await joinDirect(admin, kubeconfig, cluster, kubeconfig);
  const dead = kubeconfig.replace(/kubeconfig\.yaml$/, 'dead.yaml');
  writeFileSync(
    dead,
    readFileSync(kubeconfig, 'utf8').replace(
      /server: https:\/\/127\.0\.0\.1:\d+/,
      'server: https://127.0.0.1:1',
    ),
  );
  await joinDirect(admin, kubeconfig, downCluster, dead);
  // The cluster's RBAC (the platform's RBAC controller writes these; here the test does).
  await kubectl(local, [
    'create',
    'clusterrolebinding',
    `shipyard-admin-${run}`,
    '--clusterrole=cluster-admin',
    '--user=admin',
  ]);
  await kubectl(local, ['create', 'namespace', ns]);
  await kubectl(local, ['run', 'victim', '-n', ns, '--image=nginx']);
  await kubectl(local, [
    'create',
    'role',
    'pod-reader',
    '-n',
    ns,
    '--verb=get,list,watch',
    '--resource=pods',
  ]);
  await kubectl(local, [
    'create',
    'rolebinding',
    'rita-reads',
    '-n',
    ns,
    '--role=pod-reader',
    `--user=${rita}`,
  ]);
  // Rita reaches the cluster through a partition of hers; nobody has no grant at all.
  removeRita = await addPartitionViewer(admin, {
    user: rita,
    password,
    cluster,
    namespace: ns,
    tenant,
    partition,
    binding: `rita-${run}`,
  });
  await admin.post('/api/v1/users', { metadata: { name: nobody }, spec: { password } });
});

afterAll(async () => {
  await removeRita?.();
  await admin?.del(`/api/v1/users/${nobody}`);
  await leaveDirect({ admin, management: kubeconfig, names: [cluster, downCluster] });
  await kubectl(local, ['delete', 'namespace', ns, '--wait=false']).catch(() => undefined);
  await kubectl(local, ['delete', 'clusterrolebinding', `shipyard-admin-${run}`]).catch(() => undefined);
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the Kubernetes API proxy', () => {
  it('lets the admin use kubectl: get, apply, delete, and a watch', async () => {
    const file = await kubeconfigFor(admin, 'admin');
    const version = await k(file, 'version', '-o', 'json');
    expect(version.code).toBe(0);
    expect(JSON.parse(version.out).serverVersion.gitVersion).toMatch(/^v1\.34\./);
    expect((await k(file, 'create', 'configmap', 'via-proxy', '-n', ns, '--from-literal=a=b')).code).toBe(0);
    expect((await k(file, 'get', 'configmap', 'via-proxy', '-n', ns, '-o', 'jsonpath={.data.a}')).out).toBe(
      'b',
    );
    const audit = await admin.get<{
      items: {
        verb: string;
        kind: string;
        name: string;
        namespace: string;
        cluster: string;
        outcome: number;
      }[];
    }>(`/api/v1/audit?cluster=${cluster}&verb=create`);
    expect(audit.body.items).toContainEqual(
      expect.objectContaining({ verb: 'create', kind: 'configmaps', namespace: ns, cluster, outcome: 201 }),
    );
    // A watch streams events as they happen. It starts from now, so nothing is sent until the change: the
    // status and headers must still arrive at once (clients wait for them before they go on).
    const token = (await admin.post<{ token: string }>('/api/v1/tokens', { name: 'watch' })).body.token;
    const list = await admin.get<{ metadata: { resourceVersion: string } }>(
      `/k8s/clusters/${cluster}/api/v1/namespaces/${ns}/configmaps`,
    );
    const ctl = new AbortController();
    const res = await fetch(
      `${server.url}/k8s/clusters/${cluster}/api/v1/namespaces/${ns}/configmaps?watch=1&resourceVersion=${list.body.metadata.resourceVersion}`,
      {
        headers: { authorization: `Bearer ${token}` },
        signal: ctl.signal,
      },
    );
    const reader = res.body!.getReader();
    await k(file, 'create', 'configmap', 'watched', '-n', ns);
    let seen = '';
    while (!seen.includes('"name":"watched"')) seen += new TextDecoder().decode((await reader.read()).value);
    ctl.abort();
    expect((await k(file, 'delete', 'configmap', 'via-proxy', 'watched', '-n', ns)).code).toBe(0);
  });

  it('forwards a DELETE with its body (DeleteOptions), framed', async () => {
    const token = (await admin.post<{ token: string }>('/api/v1/tokens', { name: 'delete-body' })).body.token;
    const file = await kubeconfigFor(admin, 'admin-delete');
    expect((await k(file, 'create', 'configmap', 'kept', '-n', ns)).code).toBe(0);
    const url = `${server.url}/k8s/clusters/${cluster}/api/v1/namespaces/${ns}/configmaps/kept`;
    const del = (options: object) =>
      fetch(url, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ kind: 'DeleteOptions', apiVersion: 'v1', ...options }),
      });
    // Both only take effect if the API server reads the body: a dry run deletes nothing, a wrong precondition fails.
    expect((await del({ dryRun: ['All'] })).status).toBe(200);
    expect((await del({ preconditions: { uid: 'not-its-uid' } })).status).toBe(409);
    expect((await k(file, 'get', 'configmap', 'kept', '-n', ns, '-o', 'name')).out).toBe('configmap/kept\n');
    expect((await k(file, 'delete', 'configmap', 'kept', '-n', ns)).code).toBe(0);
  });

  it('runs helm install and uninstall through it', async () => {
    const file = await kubeconfigFor(admin, 'admin-helm');
    const chart = writeConfigMapChart(dir);
    const helm = (...args: string[]) => helmWith(file, dir, ...args, '-n', ns);
    const installed = await helm('install', 'hi', chart, '--wait');
    expect(installed.err).toBe('');
    expect((await k(file, 'get', 'configmap', 'hi-cm', '-n', ns, '-o', 'name')).out.trim()).toBe(
      'configmap/hi-cm',
    );
    expect((await helm('uninstall', 'hi', '--wait')).code).toBe(0);
    expect((await k(file, 'get', 'configmap', 'hi-cm', '-n', ns)).code).not.toBe(0);
  });

  it("gives a restricted user exactly the cluster's RBAC for them, whatever headers they send", async () => {
    const client = await ApiClient.signedIn(server.url, rita, password);
    const file = await kubeconfigFor(client, 'rita');
    expect((await k(file, 'get', 'pods', '-n', ns)).code).toBe(0);
    const got = await k(file, 'get', 'pod', 'victim', '-n', ns, '-o', 'name');
    expect(got.err).toBe('');
    expect(got.out.trim()).toBe('pod/victim');
    const del = await k(file, 'delete', 'pod', 'victim', '-n', ns);
    expect(del.err).toContain(`User "${rita}" cannot delete resource "pods"`);
    expect((await k(file, 'get', 'secrets', '-n', ns)).err).toContain('forbidden');
    // Impersonate-* and Authorization from the client never reach the cluster.
    const token = /token: (\S+)/.exec(readFileSync(file, 'utf8'))?.[1] ?? '';
    const review = await fetch(
      `${server.url}/k8s/clusters/${cluster}/apis/authentication.k8s.io/v1/selfsubjectreviews`,
      {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          'impersonate-user': 'admin',
          'impersonate-group': 'system:masters',
        },
        body: JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' }),
      },
    ).then((r) => r.json() as Promise<{ status: { userInfo: { username: string; groups: string[] } } }>);
    expect(review.status.userInfo.username).toBe(rita);
    expect(review.status.userInfo.groups).not.toContain('system:masters');
  });

  it('refuses users without access (403, audited), unknown clusters (404), and answers 503 fast for a cluster that is down', async () => {
    const client = await ApiClient.signedIn(server.url, nobody, password);
    const denied = await client.get(`/k8s/clusters/${cluster}/api/v1/namespaces`);
    expect(denied.status).toBe(403);
    const audit = await admin.get<{ items: { user: string; outcome: number }[] }>(
      `/api/v1/audit?user=${nobody}&outcome=403`,
    );
    expect(audit.body.items.length).toBeGreaterThan(0);
    expect((await admin.get(`/k8s/clusters/no-such-${run}/version`)).status).toBe(404);
    const started = Date.now();
    const down = await admin.get(`/k8s/clusters/${downCluster}/version`);
    expect(down.status).toBe(503);
    expect(down.body).toMatchObject({
      reason: 'ServiceUnavailable',
      message: expect.stringContaining(downCluster),
    });
    expect(Date.now() - started).toBeLessThan(5000);
  });
});

describe('cluster-wide lists for a user who may see some namespaces', () => {
  const lena = `lena-${run}`;
  const [nsA, nsB, nsC] = ['a', 'b', 'c'].map((x) => `fan-${x}-${run}`) as [string, string, string];
  const pods: Record<string, string[]> = { [nsA]: ['a1', 'a2'], [nsB]: ['b1'], [nsC]: ['c1'] };
  const partitionOf = (n: string) => `part-${n}`;

  beforeAll(async () => {
    for (const [n, names] of Object.entries(pods)) {
      await kubectl(local, ['create', 'namespace', n]);
      for (const p of names) {
        await kubectl(local, [
          'run',
          p,
          '-n',
          n,
          '--image=nginx',
          `--labels=tier=${p.endsWith('1') ? 'one' : 'two'}`,
        ]);
      }
      const created = await admin.post('/api/v1/partitions', {
        metadata: { name: partitionOf(n) },
        spec: { tenant, cluster, namespace: n, adopt: true },
      });
      expect(created.status).toBe(201);
    }
    await admin.post('/api/v1/users', { metadata: { name: lena }, spec: { password } });
    // Lena may see two of the three partitions: bound on the platform, and by RBAC in their namespaces (which
    // the platform's RBAC controller writes; here the test does).
    for (const n of [nsA, nsB]) {
      const bound = await admin.post('/api/v1/roletemplatebindings', {
        metadata: { name: `lena-${n}` },
        spec: {
          subject: { kind: 'User', name: lena },
          roleTemplate: 'partition-viewer',
          scope: { level: 'partition', name: partitionOf(n) },
        },
      });
      expect(bound.status).toBe(201);
      await kubectl(local, [
        'create',
        'role',
        'pod-reader',
        '-n',
        n,
        '--verb=get,list,watch',
        '--resource=pods',
      ]);
      await kubectl(local, [
        'create',
        'rolebinding',
        'lena-reads',
        '-n',
        n,
        '--role=pod-reader',
        `--user=${lena}`,
      ]);
    }
  });

  afterAll(async () => {
    for (const n of [nsA, nsB]) await admin?.del(`/api/v1/roletemplatebindings/lena-${n}`);
    await admin?.del(`/api/v1/users/${lena}`);
    for (const n of Object.keys(pods)) {
      await admin?.del(`/api/v1/partitions/${partitionOf(n)}`);
      await kubectl(local, ['delete', 'namespace', n, '--wait=false']).catch(() => undefined);
    }
  });

  /** namespace/name of each row of `kubectl get pods -A` (a Table), in the order printed. */
  const rows = (out: string) =>
    out
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split(/\s+/).slice(0, 2).join('/'));

  it('gives kubectl get pods -A exactly the pods of her namespaces, as a Table and as a List; the admin sees all', async () => {
    const client = await ApiClient.signedIn(server.url, lena, password);
    const file = await kubeconfigFor(client, 'lena');
    const table = await k(file, 'get', 'pods', '-A', '--no-headers');
    expect(table.code).toBe(0);
    expect(rows(table.out).sort()).toEqual([`${nsA}/a1`, `${nsA}/a2`, `${nsB}/b1`]);
    expect(table.err).toContain('Warning: listed pods only in the 2 namespace(s) you may see');
    const list = await k(file, 'get', 'pods', '-A', '-o', 'json');
    const items = (JSON.parse(list.out) as { items: { metadata: { name: string; namespace: string } }[] })
      .items;
    expect(items.map((p) => `${p.metadata.namespace}/${p.metadata.name}`).sort()).toEqual([
      `${nsA}/a1`,
      `${nsA}/a2`,
      `${nsB}/b1`,
    ]);
    // Selectors apply in every namespace.
    const selected = await k(file, 'get', 'pods', '-A', '-l', 'tier=one', '--no-headers');
    expect(rows(selected.out).sort()).toEqual([`${nsA}/a1`, `${nsB}/b1`]);
    // Her own namespaces still answer as before, and a cluster-wide list of what she may see nowhere stays refused.
    expect((await k(file, 'get', 'pods', '-n', nsB, '-o', 'name')).out).toBe('pod/b1\n');
    const secrets = await k(file, 'get', 'secrets', '-A');
    expect(secrets.code).not.toBe(0);
    expect(secrets.err).toContain(
      `User "${lena}" cannot list resource "secrets" in API group "" at the cluster scope`,
    );

    const adminFile = await kubeconfigFor(admin, 'admin-all');
    const all = rows((await k(adminFile, 'get', 'pods', '-A', '--no-headers')).out);
    expect(all).toEqual(
      expect.arrayContaining([`${nsA}/a1`, `${nsA}/a2`, `${nsB}/b1`, `${nsC}/c1`, `${ns}/victim`]),
    );
  });
});
