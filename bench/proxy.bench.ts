// The Kubernetes API proxy: GET one pod and LIST 1,000 pods through /k8s/clusters/{c}/… — to a cluster joined
// directly (kubeconfig) and to one joined through its agent's tunnel — against kube-apiserver itself, in the
// same run on the same machine. Then how many concurrent streams (watches) one tunnel carries.
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from '@shipyard/localkube';
import type { RunningServer } from '@shipyard/server';
import type { KubeTarget } from './kube.js';
import type { Ratio, Row } from './lists.bench.js';
import { load } from './load.js';

export type ProxyBenchOptions = {
  server: RunningServer;
  token: string;
  kube: KubeTarget;
  kubeconfig: string;
  pods: number;
  connections: number;
  warmupMs: number;
  durationMs: number;
  /** Concurrent watches opened through one tunnel, step by step. */
  streams: number[];
};

export type StreamsResult = {
  count: number;
  opened: number;
  notified: number;
  openSeconds: number;
  notifySeconds: number;
};

const ns = 'bench-proxy';
const direct = 'bench-direct';
const tunnel = 'bench-agent';

function kubeSend(kube: KubeTarget, agent: https.Agent, method: string, p: string, body?: unknown) {
  return new Promise<number>((resolve, reject) => {
    const req = https.request(
      new URL(p, kube.base),
      { agent, method, headers: { 'content-type': 'application/json' } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

/** The namespace with `pods` pods, and the management cluster's Secret holding the kubeconfig. */
async function seed(o: ProxyBenchOptions): Promise<void> {
  const agent = new https.Agent({ keepAlive: true, maxSockets: 32, ...o.kube.tls });
  const ok = (what: string) => (code: number) => {
    if (code >= 300 && code !== 409) throw new Error(`${what}: ${code}`);
  };
  await kubeSend(o.kube, agent, 'POST', '/api/v1/namespaces', { metadata: { name: ns } }).then(
    ok('namespace'),
  );
  const names = Array.from({ length: o.pods }, (_, i) => `pod-${String(i).padStart(5, '0')}`);
  for (let i = 0; i < names.length; i += 32) {
    await Promise.all(
      names.slice(i, i + 32).map((name) =>
        kubeSend(o.kube, agent, 'POST', `/api/v1/namespaces/${ns}/pods`, {
          metadata: { name, labels: { app: 'bench' } },
          spec: { containers: [{ name: 'app', image: 'registry.example/bench:1' }] },
        }).then(ok(`pod ${name}`)),
      ),
    );
  }
  const kubeconfig = Buffer.from(readFileSync(o.kubeconfig)).toString('base64');
  await kubeSend(o.kube, agent, 'POST', '/api/v1/namespaces/shipyard-system/secrets', {
    metadata: { name: `kc-${direct}` },
    data: { kubeconfig },
  }).then(ok('kubeconfig secret'));
  agent.destroy();
}

async function shipyard(
  o: ProxyBenchOptions,
  method: string,
  url: string,
  body?: unknown,
): Promise<Response> {
  const res = await fetch(o.server.url + url, {
    method,
    headers: { authorization: `Bearer ${o.token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status >= 300) throw new Error(`${method} ${url}: ${res.status} ${await res.text()}`);
  return res;
}

async function reachable(o: ProxyBenchOptions, cluster: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const res = await fetch(`${o.server.url}/k8s/clusters/${cluster}/version`, {
      headers: { authorization: `Bearer ${o.token}` },
    });
    if (res.status === 200) return;
    if (Date.now() > deadline) throw new Error(`cluster ${cluster}: ${res.status} ${await res.text()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Joins the bench cluster twice: directly, and through a real agent process. */
async function join(o: ProxyBenchOptions, dir: string): Promise<ChildProcess> {
  await shipyard(o, 'POST', '/api/v1/clusters', {
    metadata: { name: direct },
    spec: { connection: { mode: 'direct', kubeconfigSecret: `kc-${direct}` } },
  });
  const token = await o.server.registrationToken(tunnel);
  const bin = path.join(repoRoot(), 'packages/agent/bin/shipyard-agent.js');
  const args = ['--server', o.server.url, '--token', token, '--kubeconfig', o.kubeconfig];
  const agent = spawn(process.execPath, [bin, ...args, '--state', path.join(dir, 'agent.json')], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  await Promise.all([reachable(o, direct), reachable(o, tunnel)]);
  return agent;
}

/**
 * Opens `count` watches at once through the tunnel, then makes one change (through the direct path, so the
 * tunnel carries only the watches): how many opened, and how many of them saw the change.
 */
async function streams(o: ProxyBenchOptions, count: number): Promise<StreamsResult> {
  const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
  const url = `${o.server.url}/k8s/clusters/${tunnel}/api/v1/namespaces/${ns}/configmaps?watch=1&timeoutSeconds=120`;
  const requests: http.ClientRequest[] = [];
  const name = `ping-${count}`;
  let notified = 0;
  let lastNotified = 0;
  const t0 = performance.now();
  const opened = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<boolean>((resolve) => {
          const req = http.get(url, { agent, headers: { authorization: `Bearer ${o.token}` } }, (res) => {
            resolve(res.statusCode === 200);
            let seen = false;
            res.on('data', (chunk: Buffer) => {
              if (!seen && chunk.includes(`"name":"${name}"`)) {
                seen = true;
                notified++;
                lastNotified = performance.now();
              }
            });
            res.on('error', () => undefined);
          });
          req.setTimeout(30_000, () => req.destroy());
          req.on('error', () => resolve(false));
          requests.push(req);
        }),
    ),
  );
  const openSeconds = (performance.now() - t0) / 1000;
  const ok = opened.filter(Boolean).length;
  const t1 = performance.now();
  await shipyard(o, 'POST', `/k8s/clusters/${direct}/api/v1/namespaces/${ns}/configmaps`, {
    metadata: { name },
  });
  const deadline = Date.now() + 15_000;
  while (notified < ok && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  for (const req of requests) req.destroy();
  agent.destroy();
  // Let the tunnel wind the closed streams down before the next step.
  await new Promise((r) => setTimeout(r, 2000));
  return { count, opened: ok, notified, openSeconds, notifySeconds: Math.max(0, lastNotified - t1) / 1000 };
}

export async function benchProxy(
  o: ProxyBenchOptions,
): Promise<{ rows: Row[]; ratios: Ratio[]; streams: StreamsResult[] }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'shipyard-bench-agent-'));
  await seed(o);
  const agent = await join(o, dir);
  try {
    const podPath = `/api/v1/namespaces/${ns}/pods/pod-00000`;
    const listPath = `/api/v1/namespaces/${ns}/pods`;
    const via = (cluster: string) => `/k8s/clusters/${cluster}`;
    const shipyardTarget = {
      base: o.server.url,
      headers: { authorization: `Bearer ${o.token}`, accept: 'application/json' },
    };
    const kubeTarget = { base: o.kube.base, headers: { accept: 'application/json' }, tls: o.kube.tls };
    const plan = [
      {
        id: 'get1.kube',
        via: 'kube-apiserver',
        what: 'GET one pod, 1 conn',
        paths: [podPath],
        target: kubeTarget,
      },
      {
        id: 'get1.direct',
        via: 'shipyard direct',
        what: 'GET one pod, 1 conn',
        paths: [via(direct) + podPath],
        target: shipyardTarget,
      },
      {
        id: 'get1.tunnel',
        via: 'shipyard tunnel',
        what: 'GET one pod, 1 conn',
        paths: [via(tunnel) + podPath],
        target: shipyardTarget,
      },
      { id: 'get.kube', via: 'kube-apiserver', what: 'GET one pod', paths: [podPath], target: kubeTarget },
      {
        id: 'get.direct',
        via: 'shipyard direct',
        what: 'GET one pod',
        paths: [via(direct) + podPath],
        target: shipyardTarget,
      },
      {
        id: 'get.tunnel',
        via: 'shipyard tunnel',
        what: 'GET one pod',
        paths: [via(tunnel) + podPath],
        target: shipyardTarget,
      },
      {
        id: 'list.kube',
        via: 'kube-apiserver',
        what: `LIST ${o.pods} pods`,
        paths: [listPath],
        target: kubeTarget,
      },
      {
        id: 'list.direct',
        via: 'shipyard direct',
        what: `LIST ${o.pods} pods`,
        paths: [via(direct) + listPath],
        target: shipyardTarget,
      },
      {
        id: 'list.tunnel',
        via: 'shipyard tunnel',
        what: `LIST ${o.pods} pods`,
        paths: [via(tunnel) + listPath],
        target: shipyardTarget,
      },
    ];
    const rows: Row[] = [];
    for (const { target, ...row } of plan) {
      const connections = row.id.startsWith('get1')
        ? 1
        : row.id.startsWith('list')
          ? Math.min(4, o.connections)
          : o.connections;
      process.stdout.write(`measuring ${row.id} (${connections} connections, ${o.durationMs / 1000} s)… `);
      const result = await load({
        ...target,
        paths: row.paths,
        connections,
        warmupMs: o.warmupMs,
        durationMs: o.durationMs,
      });
      process.stdout.write(`${result.perSecond.toFixed(1)}/s\n`);
      rows.push({ ...row, result });
    }
    const byId = (id: string) => rows.find((r) => r.id === id)?.result;
    const ratio = (what: string, s: string, k: string): Ratio => ({
      what,
      throughput: (byId(s)?.perSecond ?? NaN) / (byId(k)?.perSecond ?? NaN),
      p50: (byId(s)?.p50Ms ?? NaN) / (byId(k)?.p50Ms ?? NaN),
      p99: (byId(s)?.p99Ms ?? NaN) / (byId(k)?.p99Ms ?? NaN),
    });
    const ratios = [
      ratio('GET one pod, 1 connection, direct', 'get1.direct', 'get1.kube'),
      ratio('GET one pod, 1 connection, tunnel', 'get1.tunnel', 'get1.kube'),
      ratio('GET one pod, direct', 'get.direct', 'get.kube'),
      ratio('GET one pod, tunnel', 'get.tunnel', 'get.kube'),
      ratio(`LIST ${o.pods} pods, direct`, 'list.direct', 'list.kube'),
      ratio(`LIST ${o.pods} pods, tunnel`, 'list.tunnel', 'list.kube'),
    ];
    const s: StreamsResult[] = [];
    for (const count of o.streams) {
      process.stdout.write(`opening ${count} watches through one tunnel… `);
      const r = await streams(o, count);
      process.stdout.write(`${r.opened} open in ${r.openSeconds.toFixed(1)} s, ${r.notified} notified\n`);
      s.push(r);
    }
    return { rows, ratios, streams: s };
  } finally {
    agent.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}
