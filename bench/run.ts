// npm run bench: starts its own local management cluster and an in-process server, creates 10,000 Tenants
// straight in kube-apiserver, and compares Shipyard's cached list with kube-apiserver's own. Prints a table
// and writes .tmp/bench-results.json. The cluster and the data dir are removed at the end, failed or not.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { down, kubeVersions, repoRoot, up, type LocalCluster } from '@shipyard/localkube';
import { defaultConfig, startServer, type RunningServer } from '@shipyard/server';
import { kubeTarget, seedTenants, type KubeTarget } from './kube.js';
import { benchLists } from './lists.bench.js';
import { benchProxy } from './proxy.bench.js';
import { ratiosTable, resultsTable } from './report.js';

const count = 10_000;
const settings = { connections: 50, fullConnections: 4, warmupMs: 2_000, durationMs: 10_000 };
const proxySettings = {
  pods: 1000,
  connections: 16,
  warmupMs: 2_000,
  durationMs: 8_000,
  streams: [250, 500, 1000],
};
const adminPassword = 'bench-admin-password';
const clusterName = `bench-${process.pid}`;
/** `--only proxy` or `--only lists` runs one part. */
const onlyAt = process.argv.indexOf('--only');
const only = onlyAt >= 0 ? process.argv[onlyAt + 1] : undefined;
if (only !== undefined && only !== 'proxy' && only !== 'lists') {
  console.error(`--only takes proxy or lists, not "${only}"`);
  process.exit(2);
}

let cluster: LocalCluster | undefined;
let server: RunningServer | undefined;
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'shipyard-bench-'));
let cleaning: Promise<void> | undefined;

function cleanup(): Promise<void> {
  return (cleaning ??= (async () => {
    await server?.stop().catch((err: unknown) => console.error('stopping the server:', err));
    if (cluster) await down(clusterName).catch((err: unknown) => console.error('removing the cluster:', err));
    rmSync(dataDir, { recursive: true, force: true });
  })());
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void cleanup().finally(() => process.exit(130)));
}

const step = async <T>(what: string, f: () => Promise<T>): Promise<T> => {
  const t0 = performance.now();
  process.stdout.write(`${what}… `);
  const v = await f();
  process.stdout.write(`${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  return v;
};

async function api(base: string, url: string, init: RequestInit): Promise<Response> {
  const res = await fetch(base + url, init);
  if (res.status >= 300) throw new Error(`${init.method ?? 'GET'} ${url}: ${res.status} ${await res.text()}`);
  return res;
}

/** Signs in as admin and mints an API token, as a script would. */
async function mintToken(base: string): Promise<string> {
  const json = { 'content-type': 'application/json' };
  const login = await api(base, '/api/v1/login', {
    method: 'POST',
    headers: json,
    body: JSON.stringify({ username: 'admin', password: adminPassword }),
  });
  const cookie = login.headers.get('set-cookie')?.split(';')[0] ?? '';
  const { csrfToken } = (await login.json()) as { csrfToken: string };
  const res = await api(base, '/api/v1/tokens', {
    method: 'POST',
    headers: { ...json, cookie, 'x-csrf-token': csrfToken },
    body: JSON.stringify({ name: 'bench' }),
  });
  return ((await res.json()) as { token: string }).token;
}

/** Waits until the server's cache lists every Tenant. */
async function cacheHolds(base: string, token: string): Promise<void> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const res = await api(base, '/api/v1/tenants?pageSize=1', {
      headers: { authorization: `Bearer ${token}` },
    });
    const { total } = (await res.json()) as { total: number };
    if (total === count) return;
    if (Date.now() > deadline) throw new Error(`the cache holds ${total} tenants after 120 s, not ${count}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** 10,000 Tenants listed through Shipyard's cache and straight from kube-apiserver. */
async function measureLists(base: string, token: string, kube: KubeTarget) {
  await step(`creating ${count} Tenants in kube-apiserver`, () => seedTenants(kube, count, 32));
  await step(`waiting until the cache holds ${count}`, () => cacheHolds(base, token));
  const { rows, ratios } = await benchLists({ shipyard: { base, token }, kube, count, ...settings });
  console.log(
    `\n${count} Tenants; closed loop, keep-alive, load generator on its own thread; ` +
      `${settings.warmupMs / 1000} s warm-up, ${settings.durationMs / 1000} s measured each.\n`,
  );
  console.log(resultsTable(rows));
  console.log('');
  console.log(ratiosTable(ratios));
  console.log(
    `\nShipyard caps pageSize at 1000, so its full list is the ${Math.ceil(count / 1000)} pages in turn ` +
      `(one sample = all of them); the full lists use ${settings.fullConnections} connections, not ` +
      `${settings.connections}.`,
  );
  return { rows, ratios };
}

try {
  const started = Date.now();
  cluster = await step(`starting local cluster ${clusterName}`, () => up({ name: clusterName, nodes: 1 }));
  const kubeconfig = cluster.kubeconfig;
  server = await step('starting the server in-process', () =>
    startServer({
      ...defaultConfig,
      kubeconfig,
      port: 0,
      tlsPort: 0,
      dataDir,
      adminPassword,
      logLevel: 'warn',
    }),
  );
  const base = server.url;
  const kube = await kubeTarget(kubeconfig);
  const token = await step('minting an API token', () => mintToken(base));
  const proxy =
    only === 'lists' ? undefined : await benchProxy({ server, token, kube, kubeconfig, ...proxySettings });
  if (proxy) {
    console.log(
      `\nThe Kubernetes API proxy, as admin, over Shipyard's plain-HTTP listener (kube-apiserver: HTTPS with a ` +
        `client certificate); keep-alive; GET with 1 connection (latency without load), then ${proxySettings.connections} (saturated), LIST with 4.\n`,
    );
    console.log(resultsTable(proxy.rows));
    console.log('');
    console.log(ratiosTable(proxy.ratios));
    for (const st of proxy.streams) {
      console.log(
        `One tunnel, ${st.count} concurrent watches: ${st.opened} opened in ${st.openSeconds.toFixed(1)} s; ` +
          `${st.notified} saw a change within ${st.notifySeconds.toFixed(2)} s.`,
      );
    }
  }

  const lists = only === 'proxy' ? undefined : await measureLists(base, token, kube);

  const file = path.join(repoRoot(), '.tmp/bench-results.json');
  mkdirSync(path.dirname(file), { recursive: true });
  const machine = { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, node: process.version };
  const results = {
    date: new Date().toISOString(),
    machine,
    kubernetes: kubeVersions().KUBERNETES_VERSION,
    objects: { kind: 'Tenant', count },
    settings,
    lists,
    proxy: proxy && { settings: proxySettings, ...proxy },
    totalSeconds: Math.round((Date.now() - started) / 1000),
  };
  writeFileSync(file, JSON.stringify(results, null, 2) + '\n');
  console.log(`\nwrote ${path.relative(repoRoot(), file)}`);
  const failed = [...(lists?.rows ?? []), ...(proxy?.rows ?? [])].filter((r) => r.result.errors > 0);
  for (const r of failed)
    console.error(`${r.id}: ${r.result.errors} errors, e.g. ${r.result.firstErrors[0]}`);
  if (failed.length) process.exitCode = 1;
} catch (err) {
  console.error('\nbench failed:', err);
  process.exitCode = 1;
} finally {
  await step(`removing ${clusterName}`, cleanup);
}
