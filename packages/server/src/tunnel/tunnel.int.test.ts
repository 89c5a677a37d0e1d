/**
 * The tunnel end to end against the run's local cluster: the hub behind a plain HTTP + WebSocket server on
 * 127.0.0.1, the real agent as a process (packages/agent, through its bin, with --kubeconfig), and TLS from
 * this process to the real kube-apiserver through the tunnel with the cluster's CA and admin certificate.
 * A counting TCP relay sits between the agent and the API server, to watch the agent's connections.
 */
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { WebSocket } from 'ws';
import type { KubeConfig } from '@kubernetes/client-node';
import { kubeRequest } from '../runtime/kube-request.js';
import { createNamespace, deleteNamespace, eventually, loadKubeConfig } from '../runtime/testing/cluster.js';
import { AgentProcess } from './testing/agent-process.js';
import { CountingProxy } from './testing/counting-proxy.js';
import { startTunnelServer, type TunnelServer } from './testing/tunnel-server.js';
import { TunnelAgent } from './tunnel-agent.js';
import { isTunnelError } from './tunnel-errors.js';
import { TunnelHub } from './tunnel-hub.js';

const CLUSTER = 'user-1';
// Agent tokens have the server's shape (the agent tells them from registration tokens by it).
const TOKEN = `sya_000000000001_${'a'.repeat(43)}`;
const TLS_TOKEN = `sya_000000000002_${'b'.repeat(43)}`;
const ns = `tunnel-${Date.now().toString(36)}`;
const BIG_COUNT = 2_000;

let kc: KubeConfig;
let creds: { ca: Buffer; cert: Buffer; key: Buffer };
let apiPort: number;
let proxy: CountingProxy;
let hub: TunnelHub;
let server: TunnelServer;
let dir: string;
let agentKubeconfig: string;
const agents: AgentProcess[] = [];
/** Keep-alive connections through the tunnel, as the server's kube client will use them. */
let pooled: TunnelAgent;

function fileOrData(file: string | undefined, data: string | undefined): Buffer {
  if (file) return readFileSync(file);
  if (data) return Buffer.from(data, 'base64');
  throw new Error('the kubeconfig lacks a CA, client certificate or key');
}

function startAgent(): AgentProcess {
  const a = new AgentProcess(['--server', server.baseUrl, '--token', TOKEN, '--kubeconfig', agentKubeconfig]);
  agents.push(a);
  return a;
}

async function connected(): Promise<void> {
  await eventually('the agent connects', () => hub.has(CLUSTER), 30_000);
}

interface Reply {
  status: number;
  body: string;
}

/** One request to the API server; through the tunnel unless `agent` says otherwise. */
function request(opts: {
  path: string;
  method?: string;
  body?: unknown;
  agent?: https.Agent;
}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: '127.0.0.1',
        port: apiPort,
        path: opts.path,
        method: opts.method ?? 'GET',
        agent: opts.agent ?? pooled,
        headers: { accept: 'application/json', 'content-type': 'application/json' },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(opts.body === undefined ? undefined : JSON.stringify(opts.body));
  });
}

/** Starts a request and resolves with its response, still unread. */
function open(path: string, agent: https.Agent): Promise<{ res: IncomingMessage; abort: () => void }> {
  return new Promise((resolve, reject) => {
    const req = https.get({ host: '127.0.0.1', port: apiPort, path, agent }, (res) =>
      resolve({ res, abort: () => req.destroy() }),
    );
    req.on('error', reject);
  });
}

function p50(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

beforeAll(async () => {
  kc = loadKubeConfig(inject('kubeconfig'));
  const cluster = kc.getCurrentCluster();
  const user = kc.getCurrentUser();
  if (!cluster || !user) throw new Error('no current cluster or user');
  creds = {
    ca: fileOrData(cluster.caFile, cluster.caData),
    cert: fileOrData(user.certFile, user.certData),
    key: fileOrData(user.keyFile, user.keyData),
  };
  const url = new URL(cluster.server);
  apiPort = Number(url.port);
  proxy = await CountingProxy.start({ host: url.hostname, port: apiPort });
  // The agent's kubeconfig points at the relay; it uses only the server address from it.
  dir = mkdtempSync(path.join(tmpdir(), 'tunnel-int-'));
  agentKubeconfig = path.join(dir, 'kubeconfig');
  writeFileSync(
    agentKubeconfig,
    readFileSync(inject('kubeconfig'), 'utf8').replace(cluster.server, `https://127.0.0.1:${proxy.port}`),
  );
  hub = new TunnelHub({
    pingIntervalMs: 1_000,
    pingTimeoutMs: 3_000,
    drainMs: 5_000,
    logger: pino({ level: 'silent' }),
  });
  server = await startTunnelServer(hub, { [TOKEN]: CLUSTER });
  pooled = new TunnelAgent({ hub, cluster: CLUSTER, ...creds, keepAlive: true });
  startAgent();
  await connected();
  await createNamespace(kc, ns);
});

afterAll(async () => {
  await Promise.all(agents.map((a) => a.stop()));
  pooled?.destroy();
  await hub?.close();
  await server?.close();
  await proxy?.close();
  if (kc) await deleteNamespace(kc, ns);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the tunnel to a real kube-apiserver', () => {
  it('runs over wss://, the agent verifying the server against the CA it is given', async () => {
    const cluster = kc.getCurrentCluster();
    if (!cluster?.caFile) throw new Error('the kubeconfig names no CA file');
    // The cluster's own PKI serves: its admin certificate names 127.0.0.1 and chains to its CA.
    const secure = await startTunnelServer(
      hub,
      { [TLS_TOKEN]: 'over-tls' },
      { cert: creds.cert, key: creds.key },
    );
    const args = ['--server', secure.baseUrl, '--token', TLS_TOKEN, '--kubeconfig', agentKubeconfig];
    const verified = new AgentProcess([...args, '--ca', cluster.caFile]);
    const unverified = new AgentProcess(args);
    try {
      await eventually('the agent connects over TLS', () => hub.has('over-tls'), 30_000);
      const agent = new TunnelAgent({ hub, cluster: 'over-tls', ...creds });
      expect((await request({ path: '/version', agent })).status).toBe(200);
      // Without the CA, the system roots do not vouch for the server: no tunnel, and it keeps retrying.
      await eventually('the second agent refuses the certificate', () =>
        unverified.lines.find((l) =>
          /unable to verify the first certificate|unable to get local issuer certificate|self[- ]signed/.test(
            l,
          ),
        ),
      );
      expect(unverified.lines.some((l) => / connected to /.test(l))).toBe(false);
      console.log(`[tunnel] an agent without the CA: ${unverified.lines.at(-1)?.replace(/^\S+ /, '')}`);
    } finally {
      await Promise.all([verified.stop(), unverified.stop()]);
      await secure.close();
    }
  });

  it('answers GET /version through the tunnel, TLS end to end with the admin certificate', async () => {
    const reply = await request({ path: '/version' });
    expect(reply.status).toBe(200);
    const direct = await request({ path: '/version', agent: new https.Agent(creds) });
    expect(JSON.parse(reply.body)).toEqual(JSON.parse(direct.body));
    expect(JSON.parse(reply.body)).toHaveProperty('gitVersion');
  });

  it('lists pods', async () => {
    const reply = await request({ path: '/api/v1/pods?limit=500' });
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body)).toMatchObject({ kind: 'PodList', items: expect.any(Array) });
  });

  it('watches: an event for a ConfigMap created after the watch began', async () => {
    const { res, abort } = await open(
      `/api/v1/namespaces/${ns}/configmaps?watch=1&timeoutSeconds=60`,
      pooled,
    );
    expect(res.statusCode).toBe(200);
    let seen = '';
    res.setEncoding('utf8').on('data', (c: string) => (seen += c));
    await request({
      method: 'POST',
      path: `/api/v1/namespaces/${ns}/configmaps`,
      body: { metadata: { name: 'watched' } },
    });
    await eventually('the ADDED event', () => /"type":"ADDED".*"name":"watched"/.test(seen), 10_000);
    abort();
  });

  it('carries an HTTP/1.1 Upgrade: a WebSocket watch through the tunnel (as exec and port-forward upgrade)', async () => {
    const ws = new WebSocket(`wss://127.0.0.1:${apiPort}/api/v1/namespaces/${ns}/configmaps?watch=1`, {
      agent: new TunnelAgent({ hub, cluster: CLUSTER, ...creds }),
      perMessageDeflate: false,
      // The apiserver's WebSocket watch refuses (403) a handshake without an Origin.
      origin: 'https://127.0.0.1',
    });
    const events: string[] = [];
    ws.on('message', (m: Buffer) => events.push(m.toString()));
    const [res] = (await once(ws, 'upgrade')) as [IncomingMessage];
    expect(res.statusCode).toBe(101);
    await request({
      method: 'POST',
      path: `/api/v1/namespaces/${ns}/configmaps`,
      body: { metadata: { name: 'upgraded' } },
    });
    await eventually(
      'a watch event over the WebSocket',
      () => events.some((e) => e.includes('"upgraded"')),
      10_000,
    );
    ws.close();
  });

  it('carries 100 concurrent requests over the one tunnel, and 200 concurrent watches', async () => {
    const each = new TunnelAgent({ hub, cluster: CLUSTER, ...creds, keepAlive: false });
    await settled();
    const before = hub.stats(CLUSTER)?.peakStreams ?? 0;
    const opened = proxy.open;
    const replies = await Promise.all(
      Array.from({ length: 100 }, () => request({ path: '/version', agent: each })),
    );
    expect(replies.every((r) => r.status === 200)).toBe(true);
    const peakRequests = hub.stats(CLUSTER)?.peakStreams ?? 0;
    await eventually('the 100 connections closed', () => proxy.open === opened, 10_000);
    // Long-lived streams all open at once: each one must see the same event.
    const watches = await Promise.all(
      Array.from({ length: 200 }, () =>
        open(`/api/v1/namespaces/${ns}/configmaps?watch=1&timeoutSeconds=60&resourceVersion=0`, each),
      ),
    );
    const seen = watches.map(() => '');
    watches.forEach((w, i) => w.res.setEncoding('utf8').on('data', (c: string) => (seen[i] += c)));
    expect(proxy.open - opened).toBe(200);
    // Created directly, not through the tunnel: the pool must not gain a connection that the count below sees.
    await kubeRequest(kc, {
      method: 'POST',
      path: `/api/v1/namespaces/${ns}/configmaps`,
      body: { metadata: { name: 'fan-out' } },
    });
    await eventually('every watch saw it', () => seen.every((s) => s.includes('"fan-out"')), 20_000);
    const stats = hub.stats(CLUSTER);
    console.log(
      `[tunnel] concurrent streams on one tunnel: ${peakRequests} (100 requests, peak before ${before}); ${stats?.streams} open with 200 watches`,
    );
    for (const w of watches) w.abort();
    await eventually('the agent closed its 200 API server connections', () => proxy.open === opened, 20_000);
    expect(stats?.streams).toBeGreaterThanOrEqual(200);
  });

  it('streams a large list with back-pressure', async () => {
    // ~25 MB: well above what the sockets on the way (two loopback TCP hops, kernel-tuned) can hold.
    const data = { blob: 'x'.repeat(12_000) };
    const names = Array.from({ length: BIG_COUNT }, (_v, i) => `big-${i}`);
    for (let i = 0; i < names.length; i += 50) {
      await Promise.all(
        names.slice(i, i + 50).map((name) =>
          kubeRequest(kc, {
            method: 'POST',
            path: `/api/v1/namespaces/${ns}/configmaps`,
            body: { metadata: { name, labels: { big: 'yes' } }, data },
          }),
        ),
      );
    }
    const downBefore = proxy.bytesDown;
    const { res } = await open(`/api/v1/namespaces/${ns}/configmaps?labelSelector=big%3Dyes`, pooled);
    res.pause();
    await new Promise((r) => setTimeout(r, 1_500));
    const stalled = proxy.bytesDown - downBefore;
    await new Promise((r) => setTimeout(r, 1_000));
    expect(proxy.bytesDown - downBefore).toBe(stalled);
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.resume();
    await once(res, 'end');
    const body = Buffer.concat(chunks);
    const list = JSON.parse(body.toString()) as { items: unknown[] };
    expect(list.items).toHaveLength(BIG_COUNT);
    console.log(
      `[tunnel] large list: ${(body.length / 1e6).toFixed(1)} MB, ${BIG_COUNT} ConfigMaps; ` +
        `while the reader paused the API server had sent ${(stalled / 1e6).toFixed(2)} MB and then stalled`,
    );
    expect(stalled).toBeLessThan(body.length / 2);
  });

  it('frees the stream on both ends when the client goes away mid-stream', async () => {
    const each = new TunnelAgent({ hub, cluster: CLUSTER, ...creds, keepAlive: false });
    await settled();
    const openBefore = proxy.open;
    const streamsBefore = hub.stats(CLUSTER)?.streams ?? 0;
    const { res, abort } = await open(`/api/v1/namespaces/${ns}/configmaps?labelSelector=big%3Dyes`, each);
    await once(res, 'data');
    expect(proxy.open).toBe(openBefore + 1);
    expect(hub.stats(CLUSTER)?.streams).toBe(streamsBefore + 1);
    abort();
    await eventually('the agent closed its API server connection', () => proxy.open === openBefore, 5_000);
    await eventually('the hub freed the stream', () => hub.stats(CLUSTER)?.streams === streamsBefore, 5_000);
  });

  it('measures GET /version: direct vs through the tunnel (p50 of 200 sequential requests)', async () => {
    const direct = new https.Agent({ ...creds, keepAlive: true });
    const time = async (agent: https.Agent, n: number): Promise<number[]> => {
      const samples: number[] = [];
      for (let i = 0; i < n; i++) {
        const t0 = performance.now();
        const reply = await request({ path: '/version', agent });
        samples.push(performance.now() - t0);
        expect(reply.status).toBe(200);
      }
      return samples;
    };
    await time(direct, 10);
    await time(pooled, 10);
    const keptDirect = p50(await time(direct, 200));
    const keptTunnel = p50(await time(pooled, 200));
    const freshDirect = p50(await time(new https.Agent({ ...creds, keepAlive: false }), 50));
    const freshTunnel = p50(
      await time(new TunnelAgent({ hub, cluster: CLUSTER, ...creds, keepAlive: false }), 50),
    );
    direct.destroy();
    console.log(
      `[tunnel] GET /version p50, keep-alive (200 each): direct ${keptDirect.toFixed(2)} ms, tunnel ${keptTunnel.toFixed(2)} ms; ` +
        `new TLS connection per request (50 each): direct ${freshDirect.toFixed(2)} ms, tunnel ${freshTunnel.toFixed(2)} ms`,
    );
    expect(keptTunnel).toBeLessThan(100);
  });

  it('reconnects by itself (backoff) when the server drops its WebSocket', async () => {
    const ws = server.sockets.at(-1);
    const disconnected = once(hub, 'disconnect');
    const t0 = performance.now();
    ws?.terminate();
    await disconnected;
    expect(hub.has(CLUSTER)).toBe(false);
    await connected();
    console.log(
      `[tunnel] the agent was back ${(performance.now() - t0).toFixed(0)} ms after its WebSocket was cut`,
    );
    expect((await request({ path: '/version' })).status).toBe(200);
  });

  it('notices a frozen agent by keepalive; the agent reconnects once it runs again', async () => {
    const [agent] = agents;
    if (!agent) throw new Error('no agent');
    const seenBefore = hub.lastSeen(CLUSTER);
    const t0 = performance.now();
    const disconnected = once(hub, 'disconnect');
    agent.signal('SIGSTOP');
    const [, reason] = (await disconnected) as [string, string];
    const noticedMs = performance.now() - t0;
    console.log(
      `[tunnel] a frozen agent was dropped ${noticedMs.toFixed(0)} ms after it stopped (ping 1 s, timeout 3 s)`,
    );
    expect(reason).toBe('the agent did not answer a ping within 3000 ms');
    expect(noticedMs).toBeLessThan(1_000 + 3_000 + 500);
    expect(hub.lastSeen(CLUSTER)?.getTime()).toBeGreaterThanOrEqual(seenBefore?.getTime() ?? 0);
    agent.signal('SIGCONT');
    await connected();
    expect((await request({ path: '/version' })).status).toBe(200);
  });

  it('fails dials fast when the agent is killed, and works again when an agent comes back', async () => {
    const [agent] = agents;
    if (!agent) throw new Error('no agent');
    const disconnected = once(hub, 'disconnect');
    agent.signal('SIGKILL');
    await disconnected;
    expect(hub.has(CLUSTER)).toBe(false);
    const t0 = performance.now();
    const err = await hub.dial(CLUSTER).catch((e: unknown) => e);
    const failedMs = performance.now() - t0;
    console.log(
      `[tunnel] with the agent killed, a dial failed after ${failedMs.toFixed(2)} ms: ${String(err)}`,
    );
    expect(failedMs).toBeLessThan(1_000);
    expect(isTunnelError(err, 'NotConnected')).toBe(true);
    const failed = await request({ path: '/version' }).catch((e: unknown) => e);
    expect(failed).toMatchObject({
      reason: 'NotConnected',
      message: `no agent of cluster ${CLUSTER} is connected`,
    });
    expect(performance.now() - t0).toBeLessThan(1_000);
    startAgent();
    await connected();
    expect((await request({ path: '/version' })).status).toBe(200);
  });

  it('lets a second agent of the cluster replace the first, which stops', async () => {
    const first = agents.at(-1);
    if (!first) throw new Error('no agent');
    const replaced = once(hub, 'connect');
    const second = startAgent();
    expect(await replaced).toEqual([CLUSTER, { replaced: true }]);
    expect(await first.exited).toBe(3);
    expect(first.lines.at(-1)).toMatch(
      /a newer agent of this cluster connected to the server; this one stops/,
    );
    expect(hub.has(CLUSTER)).toBe(true);
    expect((await request({ path: '/version' })).status).toBe(200);
    expect(second.child.exitCode).toBeNull();
  });
});

/** Only the keep-alive pool's idle connections are open, on both ends: what earlier tests opened has closed. */
async function settled(): Promise<void> {
  const pooledCount = (): number =>
    [...Object.values(pooled.sockets), ...Object.values(pooled.freeSockets)].reduce(
      (n, list) => n + (list?.length ?? 0),
      0,
    );
  await eventually(
    'earlier connections closed',
    () => hub.stats(CLUSTER)?.streams === pooledCount() && proxy.open === pooledCount(),
    20_000,
  );
}
