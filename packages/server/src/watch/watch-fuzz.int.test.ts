// No message on /api/v1/watch stops the server: malformed ones get an error frame (or close that socket), a
// seeded fuzz of a few hundred frames leaves the server answering /healthz and a fresh subscription hearing a
// change. FUZZ_SEED=<seed> replays a run (the seed is printed).
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ApiClient, startTestServer, type TestServer } from '../testing/server.js';
import { deepJson, fuzzSeed, Prng, randomJson } from './testing/fuzz.js';
import { lastSubscribed, openWatch, type WatchClient } from './testing/watch-client.js';

let server: TestServer;
let admin: ApiClient;
const run = Date.now().toString(36);
const made: string[] = [];

beforeAll(async () => {
  server = await startTestServer(inject('kubeconfig'));
  admin = await ApiClient.asAdmin(server.url);
});
afterAll(async () => {
  for (const name of made) await admin.del(`/api/v1/tenants/${name}`);
  await server?.close();
});

const asAdmin = () => openWatch(server.url, { cookie: admin.cookie ?? '' });
const errors = (w: WatchClient) => w.got.filter((m) => typeof (m as { error?: unknown }).error === 'string');

/** The server still serves: /healthz, and a new subscriber hears that the tenants changed. */
async function stillServing(label: string): Promise<void> {
  expect((await fetch(`${server.url}/healthz`)).status, label).toBe(200);
  const w = await asAdmin();
  try {
    w.send({ subscribe: ['management/tenants'] });
    await w.until((got) => lastSubscribed(got)?.includes('management/tenants') === true);
    const name = `fuzz-${run}-${made.length}`;
    made.push(name);
    const r = await admin.post('/api/v1/tenants', { metadata: { name }, spec: {} });
    expect(r.status, label).toBe(201);
    await w.until(
      (got) => got.some((m) => (m as { changed?: string }).changed === 'management/tenants'),
      10_000,
    );
  } finally {
    w.ws.close();
  }
}

describe('GET /api/v1/watch takes any message without stopping', () => {
  it('answers each malformed message with an error that says what is wrong, and keeps the socket', async () => {
    const w = await asAdmin();
    const bad: [string, RegExp][] = [
      ['null', /message: .*expected object, received null/],
      ['5', /expected object, received number/],
      ['"subscribe"', /expected object, received string/],
      ['[["management/tenants"]]', /expected object, received array/],
      ['{"subscribe":5}', /subscribe: .*expected array, received number/],
      ['{"subscribe":[null]}', /subscribe\.0: .*expected string, received null/],
      ['{"unsubscribe":"management/tenants"}', /unsubscribe: .*expected array/],
      ['{"subscribe":[],"cmd":"rm","__proto__":{}}', /Unrecognized keys: "cmd", "__proto__"/],
      [deepJson(5000, 'array'), /expected object/],
      [deepJson(3000, 'object'), /Unrecognized key: "a"/],
      ['{"subscribe":', /not JSON/],
    ];
    for (const [text, want] of bad) {
      const before = w.got.length;
      w.send(text);
      await w.until((got) => got.length > before);
      expect((w.got[before] as { error: string }).error, text.slice(0, 40)).toMatch(want);
    }
    w.ws.send(Buffer.from('{"subscribe":["management/tenants"]}'), { binary: true });
    await w.until((got) => got.length > bad.length);
    expect(w.got[bad.length]).toEqual({ error: expect.stringContaining('binary messages are not taken') });
    // The socket is still good for a well-formed message.
    w.send({ subscribe: ['management/tenants'] });
    await w.until((got) => lastSubscribed(got) !== undefined);
    expect(lastSubscribed(w.got)).toEqual(['management/tenants']);
    w.ws.close();
    await stillServing('after the malformed messages');
  });

  it('closes a socket after 20 refused messages (1008), one that sends a huge message (1009) or bad UTF-8 (1007)', async () => {
    const abuser = await asAdmin();
    for (let i = 0; i < 25; i++) abuser.send('null');
    expect(await abuser.closed).toEqual({ code: 1008, reason: 'too many invalid messages' });
    expect(errors(abuser)).toHaveLength(20);

    const big = await asAdmin();
    big.send(JSON.stringify({ subscribe: ['x'.repeat(70 * 1024)] }));
    expect((await big.closed).code).toBe(1009);
    const huge = await asAdmin();
    huge.ws.send(Buffer.alloc(2 * 1024 * 1024, 0x20));
    expect((await huge.closed).code).toBe(1009);

    const utf8 = await asAdmin();
    utf8.ws.send(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), { binary: false });
    expect((await utf8.closed).code).toBe(1007);
    await stillServing('after the closed sockets');
  });

  it('survives a seeded fuzz of a few hundred frames of every shape', async () => {
    const seed = fuzzSeed();
    console.log(`watch fuzz seed: ${seed} (FUZZ_SEED=${seed} replays it)`);
    const r = new Prng(seed);
    const frames: (() => string | Buffer | { text: Buffer })[] = [
      () => JSON.stringify(randomJson(r)),
      () => JSON.stringify({ subscribe: randomJson(r, 2) }),
      () => JSON.stringify({ unsubscribe: randomJson(r, 2) }),
      () => JSON.stringify({ subscribe: Array.from({ length: r.int(300) }, () => r.string(20)) }),
      () =>
        JSON.stringify({
          subscribe: [r.pick(['management/tenants', 'management/users', `${r.string(8)}/nodes`])],
        }),
      () => JSON.stringify({ [r.string(8)]: randomJson(r, 1), subscribe: [] }),
      () => r.string(200),
      () => deepJson(1 + r.int(20_000), r.pick(['array', 'object'] as const)),
      () => r.bytes(r.int(2000)),
      () => ({ text: r.bytes(1 + r.int(50)) }),
      () => 'x'.repeat(r.pick([64 * 1024 + 1, 1024 * 1024 + 1])),
    ];
    const closes: number[] = [];
    const started = Date.now();
    for (let batch = 0; batch < 4; batch++) {
      let w = await asAdmin();
      for (let i = 0; i < 80; i++) {
        if (w.ws.readyState !== w.ws.OPEN) {
          closes.push((await w.closed).code);
          w = await asAdmin();
        }
        const frame = r.pick(frames)();
        if (Buffer.isBuffer(frame)) w.ws.send(frame, { binary: true });
        else if (typeof frame === 'string') w.ws.send(frame);
        else w.ws.send(frame.text, { binary: false });
        // Let the server answer now and then, so frames meet sockets in every state.
        if (i % 10 === 9) await new Promise((res) => setTimeout(res, 20));
      }
      w.ws.close();
      closes.push((await w.closed).code);
      await stillServing(`after batch ${batch} (seed ${seed})`);
    }
    // A handler that threw would have closed its socket with 1011.
    expect(
      closes.filter((c) => c === 1011),
      `seed ${seed}`,
    ).toEqual([]);
    expect(Date.now() - started).toBeLessThan(100_000);
  });
});
