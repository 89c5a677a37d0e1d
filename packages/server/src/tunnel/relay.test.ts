/**
 * The relay between replicas without a cluster: the route in a bare Fastify app in front of a hub with fake
 * agents (a TCP echo server stands for the API server), dialed with dialRelay over ws:// on 127.0.0.1. The
 * real thing, over TLS between two servers, is in relay.int.test.ts.
 */
import { once } from 'node:events';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import websocket from '@fastify/websocket';
import Fastify, { type FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { registerErrorHandling } from '../http/error-handler.js';
import { samePeerToken } from './peer-token.js';
import { dialRelay, relayUrl } from './relay-dial.js';
import { registerRelayRoute } from './relay.routes.js';
import { startEchoTarget, roundTrip, until, type EchoTarget } from './testing/echo-target.js';
import { FakeAgent } from './testing/fake-agent.js';
import { startTunnelServer, type TunnelServer } from './testing/tunnel-server.js';
import { isTunnelError, type TunnelErrorReason } from './tunnel-errors.js';
import { TunnelHub } from './tunnel-hub.js';

const token = 'peer-secret';
let target: EchoTarget;
let hub: TunnelHub;
let tunnelServer: TunnelServer;
let app: FastifyInstance;
let peerUrl: string;
let agents: FakeAgent[] = [];

async function agent(): Promise<FakeAgent> {
  const a = await FakeAgent.connect({ url: tunnelServer.url, token: 'tok-east', target });
  agents.push(a);
  await until('the agent attached', () => hub.has('east'));
  return a;
}

const relay = (opts: { token?: string; url?: string; signal?: AbortSignal } = {}) =>
  dialRelay({
    peerUrl: opts.url ?? peerUrl,
    cluster: 'east',
    token: opts.token ?? token,
    ca: '',
    signal: opts.signal,
  });

async function failure(p: Promise<unknown>): Promise<{ reason: TunnelErrorReason; message: string }> {
  const err: unknown = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isTunnelError(err)) throw new Error(`expected a TunnelError, got ${String(err)}`);
  return { reason: err.reason, message: err.message };
}

beforeAll(async () => {
  target = await startEchoTarget();
});

beforeEach(async () => {
  hub = new TunnelHub({ dialTimeoutMs: 300, drainMs: 500, logger: pino({ level: 'silent' }) });
  tunnelServer = await startTunnelServer(hub, { 'tok-east': 'east' });
  app = Fastify();
  await app.register(websocket, { options: { maxPayload: 1024 * 1024 } }); // as the server has it
  registerErrorHandling(app);
  registerRelayRoute(app, { tunnels: hub, peerToken: token });
  await app.listen({ host: '127.0.0.1', port: 0 });
  peerUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
});

afterEach(async () => {
  await Promise.all(agents.map((a) => a.close()));
  agents = [];
  await hub.close();
  await tunnelServer.close();
  await app.close();
});

afterAll(() => {
  target.close();
});

describe('relay', () => {
  it('carries bytes both ways to the cluster through the peer’s hub; closing either end closes the other', async () => {
    await agent();
    const stream = await relay();
    expect(await roundTrip(stream, 'hello through a peer')).toBe('hello through a peer');
    expect(hub.stats('east')?.streams).toBe(1);
    stream.destroy();
    await until('the hub stream closes', () => hub.stats('east')?.streams === 0);

    const second = await relay();
    expect(await roundTrip(second, 'again')).toBe('again');
    const closed = once(second, 'close');
    await hub.close(); // the tunnel goes: the caller's stream ends
    await closed;
  });

  it('carries a write larger than the peer takes in one WebSocket message', async () => {
    await agent();
    const stream = await relay();
    const big = Buffer.alloc(3 * 1024 * 1024, 7);
    let got = 0;
    stream.on('data', (c: Buffer) => (got += c.length));
    stream.write(big);
    await until('the echo of 3 MiB', () => got === big.length, 10_000);
    stream.destroy();
  });

  it('answers the caller with the peer’s TunnelError reason', async () => {
    const none = await failure(relay());
    expect(none.reason).toBe('NotConnected');
    expect(none.message).toMatch(/\(503\).*no agent of cluster east/);

    const a = await agent();
    a.mode = 'refuse';
    expect((await failure(relay())).reason).toBe('DialFailed');
    a.mode = 'silent';
    expect((await failure(relay())).reason).toBe('DialTimeout');
  });

  it('refuses a caller without the peer token, before dialing anything', async () => {
    await agent();
    const refused = await failure(relay({ token: 'guess' }));
    expect(refused.message).toMatch(/\(401\)/);
    expect(hub.stats('east')?.dials).toBe(0);
  });

  it('maps an unreachable peer to NotConnected, and an aborted dial to Aborted', async () => {
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const gone = await failure(relay({ url: `http://127.0.0.1:${port}` }));
    expect(gone.reason).toBe('NotConnected');
    expect(gone.message).toMatch(/not reachable/);

    const a = await agent();
    a.mode = 'silent';
    const abort = new AbortController();
    const dial = relay({ signal: abort.signal });
    setTimeout(() => abort.abort(), 50);
    expect((await failure(dial)).reason).toBe('Aborted');
  });

  it('builds the relay URL from a peer URL, and compares tokens whole', () => {
    expect(relayUrl('https://10.0.0.7:8443', 'east').href).toBe(
      'wss://10.0.0.7:8443/api/v1/tunnel/relay?cluster=east',
    );
    expect(relayUrl('https://[::1]:8443/', 'a b').href).toBe(
      'wss://[::1]:8443/api/v1/tunnel/relay?cluster=a+b',
    );
    expect(samePeerToken('peer-secret', token)).toBe(true);
    expect(samePeerToken('peer-secre', token)).toBe(false);
    expect(samePeerToken(undefined, token)).toBe(false);
    expect(samePeerToken('', token)).toBe(false);
  });
});
