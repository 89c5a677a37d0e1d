// kubectl and helm through /k8s/clusters/{c}: as the caller, with exactly the caller's permissions.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { binaries, kubectl } from '@shipyard/localkube';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ApiClient, startTestServer, testAdminPassword, type TestServer } from '../testing/server.js';

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

function tool(bin: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  return new Promise<{ code: number; out: string; err: string }>((resolve) => {
    execFile(bin, args, { env: { ...process.env, ...env }, timeout: 120_000 }, (e, out, err) =>
      resolve({ code: e ? Number(e.code ?? 1) : 0, out, err }),
    );
  });
}

async function kubeconfigFor(client: ApiClient, name: string, c = cluster): Promise<string> {
  const r = await fetch(`${server.url}/api/v1/clusters/${c}/kubeconfig`, {
    headers: client.token ? { authorization: `Bearer ${client.token}` } : { cookie: client.cookie ?? '' },
  });
  expect(r.status).toBe(200);
  const file = path.join(dir, `${name}.kubeconfig`);
  writeFileSync(file, await r.text());
  return file;
}

const k = (file: string, ...args: string[]) => tool(binaries().kubectl, ['--kubeconfig', file, ...args]);

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'proxy-'));
  server = await startTestServer(kubeconfig);
  admin = await ApiClient.signedIn(server.url, 'admin', testAdminPassword);
  // A direct cluster: the run's local cluster, by a kubeconfig kept in a Secret.
  await kubectl(local, [
    'create',
    'secret',
    'generic',
    `kc-${cluster}`,
    '-n',
    'shipyard-system',
    `--from-file=kubeconfig=${kubeconfig}`,
  ]);
  expect(
    (
      await admin.post('/api/v1/clusters', {
        metadata: { name: cluster },
        spec: { connection: { mode: 'direct', kubeconfigSecret: `kc-${cluster}` } },
      })
    ).status,
  ).toBe(201);
  const dead = kubeconfig.replace(/kubeconfig\.yaml$/, 'dead.yaml');
  writeFileSync(
    dead,
    readFileSync(kubeconfig, 'utf8').replace(
      /server: https:\/\/127\.0\.0\.1:\d+/,
      'server: https://127.0.0.1:1',
    ),
  );
  await kubectl(local, [
    'create',
    'secret',
    'generic',
    `kc-${downCluster}`,
    '-n',
    'shipyard-system',
    `--from-file=kubeconfig=${dead}`,
  ]);
  await admin.post('/api/v1/clusters', {
    metadata: { name: downCluster },
    spec: { connection: { mode: 'direct', kubeconfigSecret: `kc-${downCluster}` } },
  });
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
  await admin.post('/api/v1/tenants', {
    metadata: { name: tenant },
    spec: { clusters: [{ cluster, hard: {} }] },
  });
  await admin.post('/api/v1/partitions', {
    metadata: { name: partition },
    spec: { tenant, cluster, namespace: ns },
  });
  for (const u of [rita, nobody])
    await admin.post('/api/v1/users', { metadata: { name: u }, spec: { password } });
  await admin.post('/api/v1/roletemplatebindings', {
    metadata: { name: `rita-${run}` },
    spec: {
      subject: { kind: 'User', name: rita },
      roleTemplate: 'partition-viewer',
      scope: { level: 'partition', name: partition },
    },
  });
});

afterAll(async () => {
  for (const [plural, name] of [
    ['roletemplatebindings', `rita-${run}`],
    ['users', rita],
    ['users', nobody],
    ['partitions', partition],
    ['tenants', tenant],
    ['clusters', cluster],
    ['clusters', downCluster],
  ] as const) {
    await admin?.del(`/api/v1/${plural}/${name}`);
  }
  await kubectl(local, ['delete', 'namespace', ns, '--wait=false']).catch(() => undefined);
  await kubectl(local, ['delete', 'clusterrolebinding', `shipyard-admin-${run}`]).catch(() => undefined);
  await kubectl(local, [
    'delete',
    'secret',
    '-n',
    'shipyard-system',
    `kc-${cluster}`,
    `kc-${downCluster}`,
  ]).catch(() => undefined);
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
    // A watch streams events as they happen.
    const token = (await admin.post<{ token: string }>('/api/v1/tokens', { name: 'watch' })).body.token;
    const ctl = new AbortController();
    const res = await fetch(
      `${server.url}/k8s/clusters/${cluster}/api/v1/namespaces/${ns}/configmaps?watch=1`,
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

  it('runs helm install and uninstall through it', async () => {
    const file = await kubeconfigFor(admin, 'admin-helm');
    const chart = path.join(dir, 'chart');
    mkdirSync(path.join(chart, 'templates'), { recursive: true });
    writeFileSync(path.join(chart, 'Chart.yaml'), 'apiVersion: v2\nname: hello\nversion: 0.1.0\n');
    writeFileSync(
      path.join(chart, 'templates/cm.yaml'),
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: {{ .Release.Name }}-cm}\ndata: {x: "1"}\n',
    );
    const env = { HELM_CACHE_HOME: dir, HELM_CONFIG_HOME: dir, HELM_DATA_HOME: dir };
    const helm = (...args: string[]) => tool(binaries().helm, [...args, '--kubeconfig', file, '-n', ns], env);
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
