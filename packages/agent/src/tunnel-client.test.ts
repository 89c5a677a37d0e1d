/**
 * The agent against a stand-in server (a WebSocket server whose HTTP/2 client session dials CONNECT streams,
 * as the hub does) and a stand-in API server (TCP echo, or a flood of bytes): no cluster needed.
 */
import { once } from 'node:events';
import http from 'node:http';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer, createWebSocketStream, type WebSocket } from 'ws';
import { TunnelClient, type TunnelClientState } from './tunnel-client.js';
import { API_SERVER_AUTHORITY, ERROR_HEADER, GOAWAY_REPLACED } from '@shipyard/api';

const { NGHTTP2_CANCEL } = http2.constants;

/** Echoes, except that a connection whose first bytes are "flood" gets an endless stream, written with back-pressure. */
class FakeApiServer {
  readonly server = net.createServer((s) => this.accept(s));
  open = 0;
  floodFlushed = 0;

  private accept(s: net.Socket): void {
    this.open++;
    s.once('close', () => this.open--);
    s.on('error', () => s.destroy());
    s.once('data', (first) => {
      if (first.toString() !== 'flood') {
        s.write(first);
        s.pipe(s);
        return;
      }
      const chunk = Buffer.alloc(64 * 1024, 'x');
      const pump = (): void => {
        while (!s.destroyed && s.write(chunk, () => (this.floodFlushed += chunk.length)));
        if (!s.destroyed) s.once('drain', pump);
      };
      pump();
    });
  }
}

/** The server's side: accepts agents, keeps the HTTP/2 client session of the last one. */
class FakeHub {
  readonly http = http.createServer();
  /** Refuses the upgrade of token "revoked" with 401 and of "busy" with 503, as a server would. */
  readonly wss = new WebSocketServer({
    server: this.http,
    verifyClient: ({ req }, done) => {
      const status = { 'Bearer revoked': 401, 'Bearer busy': 503 }[req.headers.authorization ?? ''];
      this.upgrades.push(req.url ?? '');
      if (status) done(false, status);
      else done(true);
    },
  });
  sessions: { ws: WebSocket; h2: http2.ClientHttp2Session; authorization: string | undefined }[] = [];
  /** The path of every upgrade request, refused or not. */
  upgrades: string[] = [];

  constructor() {
    this.wss.on('connection', (ws, req) => {
      const socket = createWebSocketStream(ws);
      socket.on('error', () => ws.terminate());
      const h2 = http2.connect('http://tunnel.invalid', { createConnection: () => socket });
      h2.on('error', () => ws.terminate());
      this.sessions.push({ ws, h2, authorization: req.headers.authorization });
    });
  }

  get last(): http2.ClientHttp2Session {
    const s = this.sessions.at(-1);
    if (!s) throw new Error('no agent connected');
    return s.h2;
  }

  /** Opens a CONNECT stream and waits for the agent's answer. */
  async dial(
    authority = API_SERVER_AUTHORITY,
  ): Promise<{ stream: http2.ClientHttp2Stream; status: number; why: string }> {
    const stream = this.last.request({ ':method': 'CONNECT', ':authority': authority });
    stream.on('error', () => stream.destroy());
    const [headers] = (await once(stream, 'response')) as [http2.IncomingHttpHeaders];
    return { stream, status: Number(headers[':status']), why: String(headers[ERROR_HEADER] ?? '') };
  }
}

const until = async (what: string, check: () => boolean, timeoutMs = 5_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

const api = new FakeApiServer();
const hub = new FakeHub();
let clients: TunnelClient[] = [];

function agent(overrides: { port?: number; token?: string } = {}): {
  client: TunnelClient;
  states: TunnelClientState[];
} {
  const client = new TunnelClient({
    server: `http://127.0.0.1:${(hub.http.address() as AddressInfo).port}`,
    token: overrides.token ?? 'secret-token',
    apiServer: { host: '127.0.0.1', port: overrides.port ?? (api.server.address() as AddressInfo).port },
    backoff: { baseMs: 40, maxMs: 200 },
    pingIntervalMs: 100,
    pingTimeoutMs: 300,
    connectTimeoutMs: 2_000,
  });
  const states: TunnelClientState[] = [];
  client.on('state', (s) => states.push(s));
  clients.push(client);
  client.start();
  return { client, states };
}

beforeAll(async () => {
  api.server.listen(0, '127.0.0.1');
  hub.http.listen(0, '127.0.0.1');
  await Promise.all([once(api.server, 'listening'), once(hub.http, 'listening')]);
});

afterEach(async () => {
  await Promise.all(clients.map((c) => c.stop()));
  clients = [];
  hub.sessions = [];
  hub.upgrades = [];
});

afterAll(async () => {
  hub.wss.close();
  hub.http.close();
  api.server.close();
});

describe('TunnelClient', () => {
  it('connects with its bearer token and splices a dial to its API server, both ways', async () => {
    const { client } = agent();
    await until('connected', () => client.state === 'connected' && hub.sessions.length === 1);
    expect(hub.sessions[0]?.authorization).toBe('Bearer secret-token');
    expect(hub.upgrades).toEqual(['/api/v1/tunnel']);
    const { stream, status } = await dial();
    expect(status).toBe(200);
    stream.write('hello');
    const [echo] = (await once(stream, 'data')) as [Buffer];
    expect(echo.toString()).toBe('hello');
    expect(client.openStreams).toBe(1);
    stream.end();
    await until('upstream closed', () => client.openStreams === 0 && api.open === 0);
    expect(client.stats()).toMatchObject({ open: 0, opened: 1, refused: 0 });
  });

  it('frees the API server connection when the server cancels the stream mid-way', async () => {
    const { client } = agent();
    await until('connected', () => client.state === 'connected');
    for (const cancel of [
      (s: http2.ClientHttp2Stream) => s.close(NGHTTP2_CANCEL),
      // What the hub's stream gets when a TLS socket over it is destroyed: RST_STREAM with NO_ERROR.
      (s: http2.ClientHttp2Stream) => s.destroy(),
    ]) {
      const { stream } = await dial();
      stream.write('flood');
      await once(stream, 'data');
      expect(client.openStreams).toBe(1);
      cancel(stream);
      await until('upstream freed', () => client.openStreams === 0 && api.open === 0);
    }
  });

  it('holds back a fast API server while the server does not read (flow control)', async () => {
    const { client } = agent();
    await until('connected', () => client.state === 'connected');
    const { stream } = await dial();
    stream.write('flood');
    await once(stream, 'data');
    stream.pause();
    await new Promise((r) => setTimeout(r, 500));
    const stalled = api.floodFlushed;
    await new Promise((r) => setTimeout(r, 500));
    // The stream window (1 MiB) plus socket buffers: bounded, and no longer growing.
    expect(api.floodFlushed).toBe(stalled);
    expect(stalled).toBeLessThan(16 << 20);
    let read = 0;
    stream.on('data', (c: Buffer) => (read += c.length));
    stream.resume();
    await until('flows again', () => read > 2 * stalled);
    stream.close(NGHTTP2_CANCEL);
    await until('upstream freed', () => client.openStreams === 0);
  });

  it('refuses any target but its API server, other methods, and says when the API server is down', async () => {
    const closed = net.createServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const deadPort = (closed.address() as AddressInfo).port;
    closed.close();
    const { client } = agent({ port: deadPort });
    await until('connected', () => client.state === 'connected');
    const other = await dial('10.0.0.1:22');
    expect(other.status).toBe(403);
    expect(other.why).toMatch(/only its API server/);
    const get = hub.last.request({ ':method': 'GET', ':path': '/' });
    get.on('error', () => get.destroy());
    const [headers] = (await once(get, 'response')) as [http2.IncomingHttpHeaders];
    expect(headers[':status']).toBe(405);
    const down = await dial();
    expect(down.status).toBe(502);
    expect(down.why).toMatch(/cannot reach the API server at 127\.0\.0\.1:\d+: connect ECONNREFUSED/);
    expect(client.stats()).toMatchObject({ open: 0, refused: 3 });
  });

  it('reconnects with backoff when the WebSocket drops, and when the server stops answering pings', async () => {
    const { client, states } = agent();
    await until('connected', () => client.state === 'connected');
    hub.sessions[0]?.ws.terminate();
    await until('reconnected', () => hub.sessions.length === 2 && client.state === 'connected');
    expect(states).toEqual(['connecting', 'connected', 'waiting', 'connecting', 'connected']);
    const { status } = await dial();
    expect(status).toBe(200);
    // A server that reads nothing any more: the agent notices within interval + timeout and redials.
    hub.sessions[1]?.ws.pause();
    await until(
      'redialled after ping timeout',
      () => hub.sessions.length === 3 && client.state === 'connected',
      3_000,
    );
  });

  it('stops for good when the server says a newer agent replaced it', async () => {
    const { client, states } = agent();
    await until('connected', () => client.state === 'connected');
    hub.last.goaway(http2.constants.NGHTTP2_NO_ERROR, 0, Buffer.from(GOAWAY_REPLACED));
    hub.last.close();
    await until('replaced', () => client.state === 'replaced');
    await new Promise((r) => setTimeout(r, 300));
    expect(hub.sessions).toHaveLength(1);
    expect(states.at(-1)).toBe('replaced');
  });
  it('stops for good when the server refuses its token (401), and keeps retrying other refusals', async () => {
    const refused = agent({ token: 'revoked' });
    const busy = agent({ token: 'busy' });
    await until('refused', () => refused.client.state === 'refused');
    await until('retried', () => busy.client.stats().attempts >= 3);
    await new Promise((r) => setTimeout(r, 300));
    expect(refused.client.stats().attempts).toBe(1);
    expect(refused.states).toEqual(['connecting', 'refused']);
    expect(busy.states).toContain('waiting');
    expect(busy.client.state).not.toBe('refused');
  });
});

function dial(authority?: string): ReturnType<FakeHub['dial']> {
  return hub.dial(authority);
}
