/** The hub against fake agents over real WebSockets on 127.0.0.1, with a TCP echo server as the "API server". */
import { once } from 'node:events';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEchoTarget, roundTrip, until, type EchoTarget } from './testing/echo-target.js';
import { FakeAgent } from './testing/fake-agent.js';
import { startTunnelServer, type TunnelServer } from './testing/tunnel-server.js';
import { isTunnelError, TunnelError } from './tunnel-errors.js';
import { TunnelHub } from './tunnel-hub.js';

let hub: TunnelHub;
let server: TunnelServer;
let agents: FakeAgent[] = [];
let target: EchoTarget;

async function agent(token = 'tok-east'): Promise<FakeAgent> {
  const a = await FakeAgent.connect({ url: server.url, token, target });
  agents.push(a);
  return a;
}

beforeAll(async () => {
  target = await startEchoTarget();
});

beforeEach(async () => {
  hub = new TunnelHub({
    pingIntervalMs: 100,
    pingTimeoutMs: 300,
    dialTimeoutMs: 500,
    drainMs: 1_000,
    logger: pino({ level: 'silent' }),
  });
  server = await startTunnelServer(hub, { 'tok-east': 'east', 'tok-west': 'west' });
});

afterEach(async () => {
  await Promise.all(agents.map((a) => a.close()));
  agents = [];
  await hub.close();
  await server.close();
});

afterAll(() => target.close());

describe('TunnelHub', () => {
  it('fails a dial at once, with a typed error, when the cluster has no agent', async () => {
    const started = performance.now();
    const err = await hub.dial('east').catch((e: unknown) => e);
    expect(performance.now() - started).toBeLessThan(50);
    expect(err).toBeInstanceOf(TunnelError);
    expect(isTunnelError(err, 'NotConnected')).toBe(true);
    expect(err).toMatchObject({ cluster: 'east', message: 'no agent of cluster east is connected' });
    expect(hub.has('east')).toBe(false);
    expect(hub.lastSeen('east')).toBeUndefined();
  });

  it('reaches the cluster through its agent, many streams at once, and counts them', async () => {
    const connected = once(hub, 'connect');
    await agent();
    expect(await connected).toEqual(['east', { replaced: false }]);
    expect(hub.has('east')).toBe(true);
    expect(hub.clusters()).toEqual(['east']);
    const streams = await Promise.all(Array.from({ length: 50 }, () => hub.dial('east')));
    const answers = await Promise.all(streams.map((s, i) => roundTrip(s, `hello ${i}`)));
    expect(answers).toEqual(streams.map((_s, i) => `hello ${i}`));
    expect(hub.stats('east')).toMatchObject({ streams: 50, peakStreams: 50, dials: 50 });
    for (const s of streams) s.destroy();
    await until(
      'streams freed on both ends',
      () => hub.stats('east')?.streams === 0 && agents[0]?.open === 0,
    );
  });

  it('keeps clusters apart', async () => {
    await agent('tok-west');
    expect(hub.has('west')).toBe(true);
    await expect(hub.dial('east')).rejects.toMatchObject({ reason: 'NotConnected' });
  });

  it("passes on the agent's reason when it cannot dial, and times out a dial it never answers", async () => {
    const a = await agent();
    a.mode = 'refuse';
    await expect(hub.dial('east')).rejects.toMatchObject({
      reason: 'DialFailed',
      message: 'the agent of east could not dial its API server (502): connect ECONNREFUSED',
    });
    a.mode = 'silent';
    await expect(hub.dial('east')).rejects.toMatchObject({ reason: 'DialTimeout' });
    const controller = new AbortController();
    const dialing = hub.dial('east', { signal: controller.signal });
    controller.abort();
    await expect(dialing).rejects.toMatchObject({ reason: 'Aborted' });
    await until('cancelled streams freed', () => hub.stats('east')?.streams === 0);
  });

  it('notices an agent that went away, fails its streams, and keeps when it was last seen', async () => {
    const a = await agent();
    const stream = await hub.dial('east');
    const failed = new Promise<Error>((resolve) => stream.once('error', resolve));
    const disconnected = once(hub, 'disconnect');
    await a.close();
    expect(await disconnected).toEqual(['east', expect.stringMatching(/WebSocket closed \(1006\)/)]);
    expect(await failed).toMatchObject({
      reason: 'Disconnected',
      message: expect.stringMatching(/WebSocket closed/),
    });
    expect(hub.has('east')).toBe(false);
    expect(hub.lastSeen('east')).toBeInstanceOf(Date);
    await expect(hub.dial('east')).rejects.toMatchObject({ reason: 'NotConnected' });
  });

  it('drops an agent that stops answering pings within interval + timeout', async () => {
    const a = await agent();
    await until('a ping answered', () => Date.now() - (hub.lastSeen('east')?.getTime() ?? 0) < 50);
    const frozenAt = Date.now();
    a.freeze();
    const [, reason] = (await once(hub, 'disconnect')) as [string, string];
    expect(reason).toBe('the agent did not answer a ping within 300 ms');
    expect(Date.now() - frozenAt).toBeLessThan(100 + 300 + 200);
    expect(hub.has('east')).toBe(false);
  });

  it('lets a newer agent of a cluster replace the older, which drains and is told it was replaced', async () => {
    const first = await agent();
    const old = await hub.dial('east');
    const events: unknown[][] = [];
    hub.on('connect', (...e) => events.push(['connect', ...e]));
    hub.on('disconnect', (...e) => events.push(['disconnect', ...e]));
    const second = await agent();
    await until('the first is told', () => first.replaced);
    expect(events).toEqual([['connect', 'east', { replaced: true }]]);
    // The stream opened before goes on; new dials reach the new agent.
    expect(await roundTrip(old, 'still here')).toBe('still here');
    const fresh = await hub.dial('east');
    expect(await roundTrip(fresh, 'new')).toBe('new');
    expect(first.open).toBe(1);
    expect(second.open).toBe(1);
    old.end();
    await until('the old session closed', () => first.ws.readyState === first.ws.CLOSED);
    expect(hub.has('east')).toBe(true);
    expect(events).toHaveLength(1);
  });

  it('closes every tunnel and refuses new agents once closed', async () => {
    const a = await agent();
    await hub.close();
    await until('agent closed', () => a.ws.readyState === a.ws.CLOSED);
    expect(hub.has('east')).toBe(false);
    const b = await agent();
    await once(b.ws, 'close');
  });
});
