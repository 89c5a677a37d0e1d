// npm run bench: starts its own local management cluster and an in-process server; measures the kube proxy
// against kube-apiserver, tenancy at scale (partitions in force, memory with 1,000 across 5 user clusters),
// 10,000 Tenants listed through Shipyard's cache and kube-apiserver's own, and the console's Tenants page over
// them in Chromium. Prints tables and writes .tmp/bench-results.json. The clusters and the data dir are removed at the end, failed or not.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { down, kubeVersions, repoRoot, up, type LocalCluster } from '@shipyard/localkube';
import { defaultConfig, startServer, type RunningServer } from '@shipyard/server';
import { kubeTarget, seedTenants, type KubeTarget } from './kube.js';
import { benchConsole } from './console.bench.js';
import { benchLists } from './lists.bench.js';
import { benchProxy } from './proxy.bench.js';
import { benchTenancy } from './tenancy.bench.js';
import { consoleTable, ratiosTable, resultsTable } from './report.js';

const count = 10_000;
const settings = { connections: 50, fullConnections: 4, warmupMs: 2_000, durationMs: 10_000 };
const proxySettings = {
  pods: 1000,
  connections: 16,
  warmupMs: 2_000,
  durationMs: 8_000,
  streams: [250, 500, 1000],
};
const tenancySettings = { userClusters: 5, timed: 100, total: 1000, tenants: 50 };
const adminPassword = 'bench-admin-password';
const clusterName = `bench-${process.pid}`;
const consoleSamples = 15;
/** `--only proxy|tenancy|lists|console` runs one part. */
const parts = ['proxy', 'tenancy', 'lists', 'console'];
const onlyAt = process.argv.indexOf('--only');
const only = onlyAt >= 0 ? process.argv[onlyAt + 1] : undefined;
if (only !== undefined && !parts.includes(only)) {
  console.error(`--only takes ${parts.join(', ')}, not "${only}"`);
  process.exit(2);
}
const runs = (part: string) => only === undefined || only === part;

let cluster: LocalCluster | undefined;
const userClusters: string[] = [];
let server: RunningServer | undefined;
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'shipyard-bench-'));
let cleaning: Promise<void> | undefined;

function cleanup(): Promise<void> {
  return (cleaning ??= (async () => {
    await server?.stop().catch((err: unknown) => console.error('stopping the server:', err));
    for (const name of [...userClusters, ...(cluster ? [clusterName] : [])])
      await down(name).catch((err: unknown) => console.error(`removing ${name}:`, err));
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

/**
 * Until the process (server and bench) has used under 10% of a core for 3 s in a row, at most 10 minutes:
 * 10,000 Tenants made straight in kube-apiserver have no status yet, and the ledger and usage controllers
 * write each one's (about 30 a second on 2 cores). Returns the seconds it took.
 */
async function settle(): Promise<number> {
  const t0 = Date.now();
  const deadline = t0 + 600_000;
  let quiet = 0;
  while (quiet < 3 && Date.now() < deadline) {
    const before = process.cpuUsage();
    await new Promise((r) => setTimeout(r, 1_000));
    const used = process.cpuUsage(before);
    quiet = (used.user + used.system) / 1_000 < 100 ? quiet + 1 : 0;
  }
  if (quiet < 3) console.warn('the server is still busy after 10 minutes: measuring anyway');
  return Math.round((Date.now() - t0) / 1000);
}

let seeded: Promise<void> | undefined;
/** The 10,000 Tenants, made once for the parts that need them. */
const seedOnce = (base: string, token: string, kube: KubeTarget) =>
  (seeded ??= (async () => {
    await step(`creating ${count} Tenants in kube-apiserver`, () => seedTenants(kube, count, 32));
    await step(`waiting until the cache holds ${count}`, () => cacheHolds(base, token));
  })());

/** 10,000 Tenants listed through Shipyard's cache and straight from kube-apiserver. */
async function measureLists(base: string, token: string, kube: KubeTarget) {
  await seedOnce(base, token, kube);
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

/** The console's Tenants page over the 10,000, in Chromium. */
async function measureConsole(base: string, token: string, kube: KubeTarget) {
  await seedOnce(base, token, kube);
  const settledSeconds = await step(
    'waiting until the server is idle (its controllers have seen the tenants)',
    settle,
  );
  const r = await step(`the console over ${count} Tenants, ${consoleSamples} samples each`, () =>
    benchConsole({ base, token, adminPassword, count, samples: consoleSamples }),
  );
  console.log(
    `\nThe console in Debian's Chromium (headless, 1440×900), ${count} Tenants; from the action until the ` +
      `row it should bring is on screen. Ratio: p50 against opening Clusters with its one row.\n`,
  );
  console.log(consoleTable(r.rows));
  const l = r.tenantListsMs;
  console.log(
    `\nThe tenant lists behind them, request sent → response read, in the browser: p50 ${l.p50.toFixed(0)} ms, ` +
      `p99 ${l.p99.toFixed(0)} ms; the rest is the browser rendering on this ${os.cpus().length}-core machine.`,
  );
  return { ...r, settledSeconds };
}

/** Partitions in force in user clusters, and the server's memory with many of them. */
async function measureTenancy(base: string, token: string, management: string) {
  const { userClusters: n, timed, total, tenants } = tenancySettings;
  const clusters = await step(`starting ${n} user clusters`, () =>
    Promise.all(
      Array.from({ length: n }, (_, i) => {
        const name = `bench-u${i}-${process.pid}`;
        userClusters.push(name);
        return up({ name, nodes: 1 });
      }),
    ),
  );
  const r = await step(`${timed} partitions one at a time, then ${total} in all over ${n} clusters`, () =>
    benchTenancy({ base, token, management, clusters, timed, total, tenants }),
  );
  console.log(
    `\nPartition created → in force in its cluster (namespace, quota enforced, team RoleBindings), ${r.timed} ` +
      `one at a time: p50 ${r.readyMs.p50.toFixed(0)} ms, p99 ${r.readyMs.p99.toFixed(0)} ms, max ` +
      `${r.readyMs.max.toFixed(0)} ms (quota p50 ${r.quotaMs.p50.toFixed(0)} / p99 ${r.quotaMs.p99.toFixed(0)} ms; ` +
      `RBAC p50 ${r.rbacMs.p50.toFixed(0)} / p99 ${r.rbacMs.p99.toFixed(0)} ms).\n` +
      `${r.total} partitions of ${r.tenants} tenants over ${r.clusters} clusters all Ready ${r.allReadySeconds.toFixed(1)} s after the ` +
      `rest were asked for. Server heap ${r.memory.before.heapUsedMiB} → ${r.memory.after.heapUsedMiB} MiB ` +
      `(${r.memory.heapPerPartitionKiB} KiB per partition), RSS ${r.memory.before.rssMiB} → ` +
      `${r.memory.after.rssMiB} MiB (server and bench share the process).`,
  );
  return { settings: tenancySettings, ...r };
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
  const proxy = runs('proxy')
    ? await benchProxy({ server, token, kube, kubeconfig, ...proxySettings })
    : undefined;
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

  const tenancy = runs('tenancy') ? await measureTenancy(base, token, kubeconfig) : undefined;
  const lists = runs('lists') ? await measureLists(base, token, kube) : undefined;
  const consoleResult = runs('console') ? await measureConsole(base, token, kube) : undefined;

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
    tenancy,
    console: consoleResult && { samples: consoleSamples, ...consoleResult },
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
