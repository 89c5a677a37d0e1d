// No agent stops the server: a registered agent that sends garbage, text, or malformed HTTP/2 and answers on
// /api/v1/tunnel has its tunnel closed with a reason (WebSocket 1002), and after every batch of a seeded fuzz
// the server answers /healthz and a new watch subscriber hears a change. FUZZ_SEED=<seed> replays a run.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ERROR_HEADER } from '@shipyard/api';
import { ApiClient, eventually, startTestServer, type TestServer } from '../testing/server.js';
import { fuzzSeed, Prng } from '../watch/testing/fuzz.js';
import { lastSubscribed, openWatch } from '../watch/testing/watch-client.js';
import { FakeAgent } from './testing/fake-agent.js';
import { FuzzAgent, h2Frame, randomAnswer, randomFrame } from './testing/fuzz-agent.js';

let server: TestServer;
let admin: ApiClient;
let token: string;
let tunnelUrl: string;
const run = Date.now().toString(36);
const cluster = `fuzz-${run}`;
const tenants: string[] = [];

beforeAll(async () => {
  server = await startTestServer(inject('kubeconfig'));
  admin = await ApiClient.asAdmin(server.url);
  tunnelUrl = server.url.replace(/^http/, 'ws') + '/api/v1/tunnel';
  const c = await admin.post('/api/v1/clusters', {
    metadata: { name: cluster },
    spec: { connection: { mode: 'agent' } },
  });
  expect(c.status).toBe(201);
  const reg = await admin.post<{ token: string }>(`/api/v1/clusters/${cluster}/registrations`, {});
  expect(reg.status).toBe(201);
  const agent = ApiClient.withToken(server.url, reg.body.token);
  const r = await agent.post<{ agentToken: string }>('/api/v1/agent/register', {
    apiServer: { host: '127.0.0.1', port: 6443, caData: Buffer.from(server.ca).toString('base64') },
    serviceAccountToken: 'fuzz-service-account-token',
  });
  expect(r.status).toBe(201);
  token = r.body.agentToken;
});
afterAll(async () => {
  for (const name of tenants) await admin?.del(`/api/v1/tenants/${name}`);
  await admin?.del(`/api/v1/clusters/${cluster}`);
  await server?.close();
});

/** The server still serves: /healthz, and a new subscriber hears that the tenants changed. */
async function stillServing(label: string): Promise<void> {
  expect((await fetch(`${server.url}/healthz`)).status, label).toBe(200);
  const w = await openWatch(server.url, { cookie: admin.cookie ?? '' });
  try {
    w.send({ subscribe: ['management/tenants'] });
    await w.until((got) => lastSubscribed(got) !== undefined);
    const name = `tfuzz-${run}-${tenants.length}`;
    tenants.push(name);
    expect((await admin.post('/api/v1/tenants', { metadata: { name }, spec: {} })).status, label).toBe(201);
    await w.until(
      (got) => got.some((m) => (m as { changed?: string }).changed === 'management/tenants'),
      10_000,
    );
  } finally {
    w.ws.close();
  }
}

const connected = () => server.tunnels.agentStatus(cluster).connected;

/** A request through the proxy to the cluster: it makes the server dial the agent, and must be answered. */
async function proxied(): Promise<number> {
  const r = await fetch(`${server.url}/k8s/clusters/${cluster}/version`, {
    headers: { cookie: admin.cookie ?? '' },
    signal: AbortSignal.timeout(30_000),
  });
  await r.arrayBuffer();
  return r.status;
}

describe('/api/v1/tunnel takes any agent message without stopping', () => {
  it('closes a tunnel with 1002 and the reason when its agent answers a dial malformed or sends text', async () => {
    const malformed = await FuzzAgent.connect({
      url: tunnelUrl,
      token,
      mode: 'handshaken',
      answer: (stream) => stream.respond({ ':status': 502, [ERROR_HEADER]: 'x'.repeat(5000) }),
    });
    await eventually('the agent is connected', async () => (connected() ? true : undefined));
    expect(await proxied()).toBeGreaterThanOrEqual(500);
    const closed = await malformed.end(10_000);
    expect(closed).toMatchObject({ byServer: true, code: 1002 });
    expect(closed.reason).toMatch(/^the agent answered a dial malformed \(shipyard-tunnel-error: /);

    const texter = await FuzzAgent.connect({ url: tunnelUrl, token, mode: 'handshaken' });
    texter.send('{"hello": "server"}', false);
    expect(await texter.end(10_000)).toMatchObject({
      byServer: true,
      code: 1002,
      reason: expect.stringMatching(/^the agent sent a text message/),
    });

    const garbage = await FuzzAgent.connect({ url: tunnelUrl, token, mode: 'raw' });
    garbage.send(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
    // nghttp2 ends the session itself (GOAWAY, then the WebSocket closes, 1005), or the server says why (1002).
    const ended = await garbage.end(10_000);
    expect(ended.byServer).toBe(true);
    expect([1002, 1005]).toContain(ended.code);
    await stillServing('after the malformed agents');
  });

  it('survives a seeded fuzz of malformed agents and frames, and still takes a good agent', async () => {
    const seed = fuzzSeed();
    console.log(`tunnel fuzz seed: ${seed} (FUZZ_SEED=${seed} replays it)`);
    const r = new Prng(seed);
    const started = Date.now();
    const settings = h2Frame(4, 0, 0, Buffer.alloc(0));
    let frames = 0;
    for (let batch = 0; batch < 3; batch++) {
      for (let round = 0; round < 12; round++) {
        if (r.int(2) === 0) {
          // No HTTP/2 at all, or a SETTINGS frame and then anything.
          const a = await FuzzAgent.connect({ url: tunnelUrl, token, mode: 'raw' });
          if (r.int(2) === 0) a.send(settings);
          for (let i = 1 + r.int(20); i > 0; i--, frames++) {
            const pick = r.int(4);
            if (pick === 0) a.send(r.bytes(r.int(3000)));
            else if (pick === 1) a.send(r.string(200), false);
            else if (pick === 2) a.send(r.bytes(1 + r.int(20)), false);
            else a.send(randomFrame(r));
          }
          await a.end(2000);
          continue;
        }
        const a = await FuzzAgent.connect({
          url: tunnelUrl,
          token,
          mode: 'handshaken',
          answer: (stream) => {
            for (let i = r.int(3); i > 0; i--, frames++)
              a.send(randomFrame(r, stream.id === undefined ? [] : [stream.id]));
            randomAnswer(r, stream);
          },
        });
        const up = await eventually('the fuzz agent is connected', async () =>
          connected() || a.ws.readyState !== a.ws.OPEN ? true : undefined,
        );
        expect(up).toBe(true);
        for (let i = r.int(12); i > 0; i--, frames++) a.send(randomFrame(r));
        // Whatever the agent does, a request through it gets an answer.
        expect(await proxied()).toBeGreaterThanOrEqual(400);
        await a.end(1000);
      }
      await stillServing(`after batch ${batch} (seed ${seed})`);
    }
    console.log(`tunnel fuzz: ${frames} frames in ${Date.now() - started} ms`);
    // The tunnel route still takes a well-behaved agent.
    const good = await FakeAgent.connect({ url: tunnelUrl, token, target: { host: '127.0.0.1', port: 1 } });
    try {
      await eventually('a good agent connects after the fuzz', async () => (connected() ? true : undefined));
    } finally {
      await good.close();
    }
    expect(Date.now() - started).toBeLessThan(110_000);
  });
});
