// Two user clusters beside the management cluster — east joined by its agent, west directly — used through
// Shipyard with real kubectl and helm, as the admin and as a developer whose only grant is one partition on
// each. Nothing in the user clusters is set up by hand: the partitions' namespaces, quotas and RBAC come from
// the platform's objects.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { down, kubectl, up, type LocalCluster } from '@shipyard/localkube';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { joinByAgent, joinDirect, type JoinedAgent } from '../testing/clusters.js';
import { helmWith, kubeconfigFor, kubectlWith, writeConfigMapChart } from '../testing/kube-tools.js';
import { ApiClient, eventually, startTestServer, type TestServer } from '../testing/server.js';

const kubeconfig = inject('kubeconfig');
const run = Date.now().toString(36);
const east = `east-${run}`;
const west = `west-${run}`;
const tenant = `mc-${run}`;
const ns = `team-${run}`;
const dev = `dev-${run}`;
const password = 'dev-password-1';
const clusters = [east, west] as const;
let server: TestServer;
let admin: ApiClient;
let devClient: ApiClient;
let dir: string;
let agent: JoinedAgent | undefined;
const local = new Map<string, LocalCluster>();

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'multicluster-'));
  const [e, w] = await Promise.all([
    up({ name: east, nodes: 1 }),
    up({ name: west, nodes: 1 }),
    startTestServer(kubeconfig).then((s) => (server = s)),
  ]);
  local.set(east, e).set(west, w);
  admin = await ApiClient.asAdmin(server.url);
  agent = await joinByAgent(admin, server, east, e.kubeconfig);
  await joinDirect(admin, kubeconfig, west, w.kubeconfig);

  // The tenant's partitions, one per cluster: the partition controller makes their namespaces.
  const r = await admin.post('/api/v1/tenants', {
    metadata: { name: tenant },
    spec: { clusters: clusters.map((c) => ({ cluster: c, hard: { 'requests.cpu': '4' } })) },
  });
  expect(r.status).toBe(201);
  expect((await admin.post('/api/v1/users', { metadata: { name: dev }, spec: { password } })).status).toBe(
    201,
  );
  for (const c of clusters) {
    const p = await admin.post('/api/v1/partitions', {
      metadata: { name: `${ns}-${c}` },
      spec: { tenant, cluster: c, namespace: ns },
    });
    expect(p.status).toBe(201);
    const b = await admin.post('/api/v1/roletemplatebindings', {
      metadata: { name: `${dev}-${c}` },
      spec: {
        subject: { kind: 'User', name: dev },
        roleTemplate: 'partition-editor',
        scope: { level: 'partition', name: `${ns}-${c}` },
      },
    });
    expect(b.status).toBe(201);
  }
  let last = '';
  for (const c of clusters) {
    await eventually(
      `partition ${ns}-${c} is Ready`,
      async () => {
        const p = await admin.get<{ status?: { conditions?: { type: string; status: string }[] } }>(
          `/api/v1/partitions/${ns}-${c}`,
        );
        last = JSON.stringify(p.body.status);
        return p.body.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True') || undefined;
      },
      30_000,
    ).catch((err: Error) => {
      throw new Error(`${err.message}: ${last}`);
    });
  }
  devClient = await ApiClient.signedIn(server.url, dev, password);
}, 180_000);

afterAll(async () => {
  await agent?.close();
  for (const c of clusters) {
    await admin?.del(`/api/v1/roletemplatebindings/${dev}-${c}`);
    await admin?.del(`/api/v1/partitions/${ns}-${c}`);
    await admin?.del(`/api/v1/clusters/${c}`);
  }
  await admin?.del(`/api/v1/tenants/${tenant}`);
  await admin?.del(`/api/v1/users/${dev}`);
  await kubectl({ kubeconfig }, ['delete', 'secret', '-n', 'shipyard-system', `kc-${west}`]).catch(
    () => undefined,
  );
  await server?.close();
  await Promise.all(clusters.map((c) => down(c).catch(() => undefined)));
  rmSync(dir, { recursive: true, force: true });
});

describe.each(clusters)('cluster %s', (cluster) => {
  const via = cluster === east ? 'its agent' : 'a kubeconfig';

  it(`is Ready, reached through ${via}`, async () => {
    const ready = await eventually(
      'the cluster reports Ready',
      async () => {
        const c = await admin.get<{ status?: { conditions?: { type: string; status: string }[] } }>(
          `/api/v1/clusters/${cluster}`,
        );
        return c.body.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True') || undefined;
      },
      30_000,
    );
    expect(ready).toBe(true);
  });

  it('lets the admin get, apply, watch and delete with kubectl, and install a chart with helm', async () => {
    const file = await kubeconfigFor(admin, cluster, dir, `admin-${cluster}`);
    // The platform's RBAC controller binds the admin in every cluster: wait until it has.
    await eventually('the admin is bound', async () =>
      (await kubectlWith(file, 'auth', 'can-i', '*', '*', '-A')).out.trim() === 'yes' ? true : undefined,
    );
    expect((await kubectlWith(file, 'get', 'nodes', '-o', 'name')).out).toMatch(/^node\//m);

    const token = /token: (\S+)/.exec(readFileSync(file, 'utf8'))?.[1] ?? '';
    const list = await admin.get<{ metadata: { resourceVersion: string } }>(
      `/k8s/clusters/${cluster}/api/v1/namespaces/${ns}/configmaps`,
    );
    const ctl = new AbortController();
    const watch = await fetch(
      `${server.url}/k8s/clusters/${cluster}/api/v1/namespaces/${ns}/configmaps?watch=1&resourceVersion=${list.body.metadata.resourceVersion}`,
      { headers: { authorization: `Bearer ${token}` }, signal: ctl.signal },
    );
    expect(watch.status).toBe(200);
    const manifest = path.join(dir, `cm-${cluster}.yaml`);
    writeFileSync(
      manifest,
      `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: applied, namespace: ${ns}}\ndata: {cluster: ${cluster}}\n`,
    );
    expect((await kubectlWith(file, 'apply', '-f', manifest)).out).toContain('configmap/applied created');
    const reader = watch.body!.getReader();
    let seen = '';
    while (!seen.includes('"name":"applied"')) seen += new TextDecoder().decode((await reader.read()).value);
    ctl.abort();
    const got = await kubectlWith(
      file,
      'get',
      'configmap',
      'applied',
      '-n',
      ns,
      '-o',
      'jsonpath={.data.cluster}',
    );
    expect(got.out).toBe(cluster);
    expect((await kubectlWith(file, 'delete', '-f', manifest)).code).toBe(0);

    const chart = writeConfigMapChart(dir, `chart-${cluster}`);
    const helm = (...args: string[]) => helmWith(file, dir, ...args);
    expect((await helm('install', 'hello', chart, '--wait', '-n', ns)).err).toBe('');
    expect((await kubectlWith(file, 'get', 'configmap', 'hello-cm', '-n', ns, '-o', 'name')).out.trim()).toBe(
      'configmap/hello-cm',
    );
    expect((await helm('uninstall', 'hello', '--wait', '-n', ns)).code).toBe(0);
  });

  it('gives the developer exactly their partition: kubectl and helm there, forbidden elsewhere, whatever they send', async () => {
    const file = await kubeconfigFor(devClient, cluster, dir, `dev-${cluster}`);
    await eventually('the developer is bound in the partition', async () =>
      (await kubectlWith(file, 'auth', 'can-i', 'create', 'configmaps', '-n', ns)).out.trim() === 'yes'
        ? true
        : undefined,
    );
    expect((await kubectlWith(file, 'create', 'configmap', 'mine', '-n', ns)).code).toBe(0);
    expect((await kubectlWith(file, 'delete', 'configmap', 'mine', '-n', ns)).code).toBe(0);
    const elsewhere = await kubectlWith(file, 'create', 'configmap', 'theirs', '-n', 'default');
    expect(elsewhere.err).toContain(`User "${dev}" cannot create resource "configmaps"`);
    expect((await kubectlWith(file, 'get', 'nodes')).err).toContain('forbidden');
    // kubectl --as sends Impersonate-User: the proxy drops it, so the developer stays the developer.
    const as = await kubectlWith(
      file,
      'get',
      'secrets',
      '-n',
      'kube-system',
      '--as=admin',
      '--as-group=system:masters',
    );
    expect(as.err).toContain(`User "${dev}" cannot list resource "secrets"`);

    const chart = writeConfigMapChart(dir, `dev-chart-${cluster}`);
    const helm = (...args: string[]) => helmWith(file, dir, ...args);
    expect((await helm('install', 'mine', chart, '--wait', '-n', ns)).err).toBe('');
    expect((await helm('uninstall', 'mine', '--wait', '-n', ns)).code).toBe(0);
    expect((await helm('install', 'theirs', chart, '-n', 'default')).err).toContain('forbidden');
  });
});
