// A cluster whose API server hangs (it takes TCP connections and answers nothing): every request about it is
// answered 503 within 5 s, one after another and side by side, through the proxy and the detail routes; the
// status controller says it is not Ready; and once it answers again, so does the proxy.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { TcpProxy } from '../runtime/testing/tcp-proxy.js';
import { joinDirect, leaveDirect } from '../testing/clusters.js';
import { ApiClient, eventually, startTestServer, type TestServer } from '../testing/server.js';

const kubeconfig = inject('kubeconfig');
const run = Date.now().toString(36);
const cluster = `hung-${run}`;
/** The error budget of one answer about a hung cluster (5 s), with slack for a loaded machine. */
const budgetMs = 6_000;
let server: TestServer;
let admin: ApiClient;
let proxy: TcpProxy;
let dir: string;

type Condition = { type: string; status: string; reason?: string };

const readyOf = async (): Promise<Condition | undefined> => {
  const c = await admin.get<{ status?: { conditions?: Condition[] } }>(`/api/v1/clusters/${cluster}`);
  return c.body.status?.conditions?.find((x) => x.type === 'Ready');
};

/** One request, timed: its status, body and how long it took. */
async function timed(url: string): Promise<{ status: number; body: Record<string, unknown>; ms: number }> {
  const started = Date.now();
  const r = await admin.get(url);
  return { status: r.status, body: r.body, ms: Date.now() - started };
}

function expectFast503(r: { status: number; body: Record<string, unknown>; ms: number }, url: string): void {
  expect({ url, status: r.status, code: r.body.code }).toEqual({ url, status: 503, code: 503 });
  expect(r.body.reason).toEqual(expect.any(String));
  expect(r.body.message).toContain(cluster);
  expect(r.ms, `${url} answered in ${r.ms} ms`).toBeLessThan(budgetMs);
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'hung-'));
  server = await startTestServer(kubeconfig);
  admin = await ApiClient.asAdmin(server.url);
  // The run's local cluster, reached through a TCP proxy that can freeze.
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  const through = await TcpProxy.for(kc);
  proxy = through.proxy;
  const file = path.join(dir, 'kubeconfig.yaml');
  writeFileSync(file, through.kubeConfig.exportConfig());
  await joinDirect(admin, kubeconfig, cluster, file);
}, 60_000);

afterAll(async () => {
  proxy?.set('pass');
  await leaveDirect({ admin, management: kubeconfig, names: [cluster] });
  await server?.close();
  await proxy?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('a cluster whose API server hangs', () => {
  const urls = [`/k8s/clusters/${cluster}/version`, `/api/v1/clusters/${cluster}/nodes`];

  it('is answered 503 within 5 s on every request, one after another and side by side; not Ready', async () => {
    // Healthy first: the pool holds kept-alive connections, the nodes store is live, the cluster is Ready.
    expect((await admin.get(urls[0]!)).status).toBe(200);
    await eventually(
      'the nodes list',
      async () => (await admin.get(urls[1]!)).status === 200 || undefined,
      30_000,
    );
    await eventually('Ready', async () => (await readyOf())?.status === 'True' || undefined, 30_000);

    proxy.set('freeze');
    for (const url of urls) {
      for (let i = 0; i < 5; i++) expectFast503(await timed(url), url);
      const side = await Promise.all(Array.from({ length: 5 }, () => timed(url)));
      for (const r of side) expectFast503(r, url);
    }
    const ready = await eventually(
      'not Ready',
      async () => {
        const c = await readyOf();
        return c?.status === 'False' ? c : undefined;
      },
      30_000,
    );
    expect(ready.reason).toBe('ClusterUnreachable');
  }, 180_000);

  it('is answered again once its API server answers', async () => {
    proxy.set('pass');
    await eventually(
      'the proxy answers',
      async () => (await admin.get(urls[0]!)).status === 200 || undefined,
      30_000,
    );
    await eventually(
      'the nodes list',
      async () => (await admin.get(urls[1]!)).status === 200 || undefined,
      30_000,
    );
    await eventually('Ready', async () => (await readyOf())?.status === 'True' || undefined, 30_000);
  }, 120_000);
});
