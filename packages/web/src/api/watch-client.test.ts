// The console's live channel against a real WebSocket server that speaks /api/v1/watch's protocol.
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { WatchClient, type SocketLike } from './watch-client';

type Conn = { ws: WebSocket; got: { subscribe?: string[]; unsubscribe?: string[] }[] };

let server: WebSocketServer;
let url: string;
const conns: Conn[] = [];
let clients: WatchClient[] = [];

beforeEach(async () => {
  server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise((r) => server.once('listening', r));
  url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/watch`;
  server.on('connection', (ws) => {
    const conn: Conn = { ws, got: [] };
    conns.push(conn);
    ws.on('message', (d: Buffer) => conn.got.push(JSON.parse(d.toString()) as Conn['got'][number]));
  });
});

afterEach(async () => {
  for (const c of clients) c.close();
  clients = [];
  conns.length = 0;
  await new Promise((r) => server.close(r));
});

function client(changed: string[], idleMs = 50): WatchClient {
  const c = new WatchClient({
    url,
    onChange: (k) => changed.push(k),
    connect: (u) => new WebSocket(u) as unknown as SocketLike,
    backoff: { initialMs: 20, maxMs: 100 },
    idleMs,
  });
  clients.push(c);
  return c;
}

async function until(check: () => boolean, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('WatchClient', () => {
  it('opens one socket for many subscribers and sends each key once', async () => {
    const changed: string[] = [];
    const c = client(changed);
    const offA = c.subscribe('management/clusters');
    const offB = c.subscribe('management/clusters');
    await until(() => c.status() === 'open');
    const offC = c.subscribe('management/tenants');
    await until(() => conns[0]?.got.length === 2);
    expect(conns).toHaveLength(1);
    expect(conns[0]?.got).toEqual([
      { subscribe: ['management/clusters'] },
      { subscribe: ['management/tenants'] },
    ]);

    conns[0]?.ws.send(JSON.stringify({ changed: 'management/clusters' }));
    conns[0]?.ws.send(JSON.stringify({ changed: 'management/unknown' }));
    conns[0]?.ws.send('not json');
    await until(() => changed.length === 1);

    offA();
    offA(); // a second call does nothing
    await new Promise((r) => setTimeout(r, 30));
    expect(conns[0]?.got).toHaveLength(2); // B still holds the key
    offB();
    await until(() => conns[0]?.got.length === 3);
    expect(conns[0]?.got[2]).toEqual({ unsubscribe: ['management/clusters'] });
    offC();
    await until(() => c.status() === 'idle');
    expect(changed).toEqual(['management/clusters']);
  });

  it('reconnects after the server drops it, subscribes again and reports every key as changed', async () => {
    const changed: string[] = [];
    const c = client(changed);
    c.subscribe('management/clusters');
    c.subscribe('qa/nodes');
    await until(() => conns[0]?.got.length === 1);
    conns[0]?.ws.terminate();
    await until(() => conns[1]?.got.length === 1);
    expect(conns[1]?.got[0]).toEqual({ subscribe: ['management/clusters', 'qa/nodes'] });
    await until(() => changed.length === 2);
    expect(changed.sort()).toEqual(['management/clusters', 'qa/nodes']);
  });

  it('keeps trying with backoff while the server is away, and stops when closed', async () => {
    const changed: string[] = [];
    const c = client(changed);
    c.subscribe('management/clusters');
    await until(() => c.status() === 'open');
    const port = (server.address() as AddressInfo).port;
    for (const conn of conns) conn.ws.terminate();
    await new Promise((r) => server.close(r));
    await until(() => c.status() === 'reconnecting');
    await new Promise((r) => setTimeout(r, 300)); // several failed attempts, backing off
    server = new WebSocketServer({ port, host: '127.0.0.1' });
    server.on('connection', (ws) => conns.push({ ws, got: [] }));
    await until(() => c.status() === 'open');
    expect(changed).toEqual(['management/clusters']);
    c.close();
    expect(c.status()).toBe('idle');
    const before = conns.length;
    c.subscribe('management/tenants');
    await new Promise((r) => setTimeout(r, 100));
    expect(conns.length).toBe(before);
  });
});
