// What a connection may cost the server: bodies bigger than a Kubernetes API server takes are refused by the
// proxy (413), and connections that do not do their part (half-sent headers, no TLS handshake, idle kept-alive
// ones, WebSockets that answer no ping) are closed after the server's timeouts, shortened here, while a kube
// watch through the proxy outlives them all.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { kubectl } from '@shipyard/localkube';
import { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { joinDirect, leaveDirect } from '../testing/clusters.js';
import { kubeconfigFor, kubectlWith } from '../testing/kube-tools.js';
import { ApiClient, startTestServer, type TestServer } from '../testing/server.js';
import { maxBodyBytes } from './body-limit.js';

const kubeconfig = inject('kubeconfig');
const local = { kubeconfig };
const run = Date.now().toString(36);
const cluster = `limits-${run}`;
const ns = `limits-${run}`;
const timeouts = { headersMs: 1_000, requestMs: 5_000, keepAliveMs: 1_000, wsPingMs: 1_000 };
let server: TestServer;
let admin: ApiClient;
let token: string;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'limits-'));
  server = await startTestServer(kubeconfig, { timeouts });
  admin = await ApiClient.asAdmin(server.url);
  token = (await admin.post<{ token: string }>('/api/v1/tokens', { name: 'limits' })).body.token;
  await joinDirect(admin, kubeconfig, cluster, kubeconfig);
  await kubectl(local, [
    'create',
    'clusterrolebinding',
    `shipyard-admin-${run}`,
    '--clusterrole=cluster-admin',
    '--user=admin',
  ]);
  await kubectl(local, ['create', 'namespace', ns]);
}, 60_000);

afterAll(async () => {
  await leaveDirect({ admin, management: kubeconfig, names: [cluster] });
  await kubectl(local, ['delete', 'namespace', ns, '--wait=false']).catch(() => undefined);
  await kubectl(local, ['delete', 'clusterrolebinding', `shipyard-admin-${run}`]).catch(() => undefined);
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

const configMaps = () => `${server.url}/k8s/clusters/${cluster}/api/v1/namespaces/${ns}/configmaps`;

/** A ConfigMap's JSON, padded with spaces (which JSON ignores) to exactly `bytes`. */
function paddedConfigMap(name: string, bytes: number): Buffer {
  const json = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { a: 'b' } });
  return Buffer.concat([Buffer.from(json), Buffer.alloc(bytes - json.length, ' ')]);
}

async function post(
  body: RequestInit['body'],
  extra: RequestInit = {},
): Promise<{ status: number; body: unknown }> {
  const r = await fetch(configMaps(), {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body,
    ...extra,
  });
  const text = await r.text();
  return { status: r.status, body: text ? JSON.parse(text) : undefined };
}

/** Resolves how long after now the server closed `socket` (rejects past `withinMs`). */
function closedWithin(socket: net.Socket, withinMs: number): Promise<number> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`still open after ${withinMs} ms`));
    }, withinMs);
    socket.on('error', () => undefined);
    socket.resume();
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(Date.now() - started);
    });
  });
}

const connect = (url: string): Promise<net.Socket> => {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const s = net.connect(Number(port), hostname, () => resolve(s));
    s.once('error', reject);
  });
};

describe('bodies through the Kubernetes proxy', () => {
  const tooLarge = { code: 413, reason: 'RequestEntityTooLarge', message: expect.stringContaining('3 MiB') };

  it('refuses a body over 3 MiB with 413, declared or chunked, and forwards one of exactly 3 MiB', async () => {
    expect(await post(paddedConfigMap('over', maxBodyBytes + 1))).toEqual({ status: 413, body: tooLarge });
    expect(await post(paddedConfigMap('huge', 20 * 1024 * 1024))).toEqual({ status: 413, body: tooLarge });
    // Chunked: no length declared, refused when the stream passes the limit.
    const chunks = paddedConfigMap('chunked', maxBodyBytes + 64 * 1024);
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let at = 0; at < chunks.length; at += 64 * 1024)
          controller.enqueue(chunks.subarray(at, at + 64 * 1024));
        controller.close();
      },
    });
    expect(await post(stream, { duplex: 'half' } as RequestInit)).toEqual({ status: 413, body: tooLarge });
    // Exactly the limit reaches the cluster, which takes it.
    const created = await post(paddedConfigMap('at-limit', maxBodyBytes));
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ metadata: { name: 'at-limit' } });
  });

  it('lets kubectl apply an object as big as Kubernetes stores', async () => {
    const file = await kubeconfigFor(admin, cluster, dir, 'admin');
    const manifest = path.join(dir, 'big.json');
    // 900 KB of data, near the 1 MiB a ConfigMap may hold; applied server-side (a client-side apply would copy
    // it into an annotation, which Kubernetes limits to 256 KiB).
    writeFileSync(
      manifest,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'big', namespace: ns },
        data: { blob: 'x'.repeat(900 * 1024) },
      }),
    );
    const applied = await kubectlWith(file, 'apply', '--server-side', '-f', manifest);
    expect(applied.err).toBe('');
    expect(applied.code).toBe(0);
  });
});

describe('idle and slow connections', () => {
  it('closes a connection that sends half a request header, on either listener', async () => {
    const plain = await connect(server.url);
    plain.write('GET /healthz HTTP/1.1\r\nHost: x\r\n');
    expect(await closedWithin(plain, 5_000)).toBeGreaterThanOrEqual(500);

    // A TLS handshake never begun.
    const raw = await connect(server.tlsUrl);
    await closedWithin(raw, 5_000);

    // Handshake done, then half a header.
    const { hostname, port } = new URL(server.tlsUrl);
    const secure = await new Promise<tls.TLSSocket>((resolve, reject) => {
      const s = tls.connect({ host: hostname, port: Number(port), ca: server.ca, servername: hostname }, () =>
        resolve(s),
      );
      s.once('error', reject);
    });
    secure.write('GET /healthz HTTP/1.1\r\nHost: x\r\n');
    await closedWithin(secure as unknown as net.Socket, 5_000);
  });

  it('closes a kept-alive connection left idle', async () => {
    const s = await connect(server.url);
    let answer = '';
    s.on('data', (d: Buffer) => (answer += d.toString()));
    s.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    const closed = closedWithin(s, 5_000);
    while (!answer.includes('"ok"')) await new Promise((r) => setTimeout(r, 20));
    expect(answer).toMatch(/^HTTP\/1.1 200/);
    await closed;
  });

  it('closes a WebSocket that answers no ping; keeps one that does', async () => {
    const open = (autoPong: boolean) =>
      new Promise<WebSocket>((resolve, reject) => {
        const ws = new WebSocket(server.url.replace('http', 'ws') + '/api/v1/watch', {
          headers: { authorization: `Bearer ${token}` },
          autoPong,
        });
        ws.once('open', () => resolve(ws));
        ws.once('error', reject);
      });
    const mute = await open(false);
    const alive = await open(true);
    const closed = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the mute WebSocket is still open')), 10_000);
      mute.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    let aliveClosed = false;
    alive.once('close', () => (aliveClosed = true));
    await closed;
    await new Promise((r) => setTimeout(r, 3 * timeouts.wsPingMs));
    expect(aliveClosed).toBe(false);
    alive.close();
  });

  it('keeps a kube watch through the proxy open past every timeout, and its events come', async () => {
    const list = await admin.get<{ metadata: { resourceVersion: string } }>(
      `/k8s/clusters/${cluster}/api/v1/namespaces/${ns}/configmaps`,
    );
    const ctl = new AbortController();
    const res = await fetch(`${configMaps()}?watch=1&resourceVersion=${list.body.metadata.resourceVersion}`, {
      headers: { authorization: `Bearer ${token}` },
      signal: ctl.signal,
    });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    // Longer than the headers, request and keep-alive timeouts together.
    await new Promise((r) => setTimeout(r, timeouts.requestMs + 2_000));
    expect((await post(paddedConfigMap('late', 200))).status).toBe(201);
    let seen = '';
    while (!seen.includes('"name":"late"')) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`the watch ended: ${seen}`);
      seen += new TextDecoder().decode(value);
    }
    ctl.abort();
  }, 30_000);
});
