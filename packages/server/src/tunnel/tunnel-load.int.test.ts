// The tunnel to the run's real kube-apiserver under load (testing/tunnel-rig.ts): many requests and watches at
// once over the one tunnel, a large list with back-pressure, streams freed when the client goes away, and the
// latency it adds.
import { once } from 'node:events';
import https from 'node:https';
import { describe, expect, it } from 'vitest';
import { kubeRequest } from '../runtime/kube-request.js';
import { eventually } from '../runtime/testing/cluster.js';
import { CLUSTER, tunnelRig } from '../testing/tunnel-rig.js';
import { TunnelAgent } from './tunnel-agent.js';

const BIG_COUNT = 2_000;

const rig = tunnelRig();
const { request, open } = rig;

function p50(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

/** Only the keep-alive pool's idle connections are open, on both ends: what earlier tests opened has closed. */
async function settled(): Promise<void> {
  const { pooled } = rig;
  const pooledCount = (): number =>
    [...Object.values(pooled.sockets), ...Object.values(pooled.freeSockets)].reduce(
      (n, list) => n + (list?.length ?? 0),
      0,
    );
  await eventually(
    'earlier connections closed',
    () => rig.hub.stats(CLUSTER)?.streams === pooledCount() && rig.proxy.open === pooledCount(),
    20_000,
  );
}

describe('the tunnel to a real kube-apiserver, under load', () => {
  it('carries 100 concurrent requests over the one tunnel, and 200 concurrent watches', async () => {
    const { hub, proxy, ns } = rig;
    const each = new TunnelAgent({ hub, cluster: CLUSTER, ...rig.creds, keepAlive: false });
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
    await kubeRequest(rig.kc, {
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
    const { proxy, ns } = rig;
    // ~25 MB: well above what the sockets on the way (two loopback TCP hops, kernel-tuned) can hold.
    const data = { blob: 'x'.repeat(12_000) };
    const names = Array.from({ length: BIG_COUNT }, (_v, i) => `big-${i}`);
    for (let i = 0; i < names.length; i += 50) {
      await Promise.all(
        names.slice(i, i + 50).map((name) =>
          kubeRequest(rig.kc, {
            method: 'POST',
            path: `/api/v1/namespaces/${ns}/configmaps`,
            body: { metadata: { name, labels: { big: 'yes' } }, data },
          }),
        ),
      );
    }
    const downBefore = proxy.bytesDown;
    const { res } = await open(`/api/v1/namespaces/${ns}/configmaps?labelSelector=big%3Dyes`, rig.pooled);
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

  // Reads the large list the test before made.
  it('frees the stream on both ends when the client goes away mid-stream', async () => {
    const { hub, proxy } = rig;
    const each = new TunnelAgent({ hub, cluster: CLUSTER, ...rig.creds, keepAlive: false });
    await settled();
    const openBefore = proxy.open;
    const streamsBefore = hub.stats(CLUSTER)?.streams ?? 0;
    const { res, abort } = await open(
      `/api/v1/namespaces/${rig.ns}/configmaps?labelSelector=big%3Dyes`,
      each,
    );
    await once(res, 'data');
    expect(proxy.open).toBe(openBefore + 1);
    expect(hub.stats(CLUSTER)?.streams).toBe(streamsBefore + 1);
    abort();
    await eventually('the agent closed its API server connection', () => proxy.open === openBefore, 5_000);
    await eventually('the hub freed the stream', () => hub.stats(CLUSTER)?.streams === streamsBefore, 5_000);
  });

  it('measures GET /version: direct vs through the tunnel (p50 of 200 sequential requests)', async () => {
    const { creds, pooled } = rig;
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
      await time(new TunnelAgent({ hub: rig.hub, cluster: CLUSTER, ...creds, keepAlive: false }), 50),
    );
    direct.destroy();
    console.log(
      `[tunnel] GET /version p50, keep-alive (200 each): direct ${keptDirect.toFixed(2)} ms, tunnel ${keptTunnel.toFixed(2)} ms; ` +
        `new TLS connection per request (50 each): direct ${freshDirect.toFixed(2)} ms, tunnel ${freshTunnel.toFixed(2)} ms`,
    );
    expect(keptTunnel).toBeLessThan(100);
  });
});
