/** A scriptable stand-in for kube-apiserver over plain HTTP, for unit tests of the runtime. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { pino } from 'pino';
import type { Logger } from '../logger.js';

export interface FakeRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  watch: boolean;
  /** performance.now() at arrival. */
  at: number;
  /** The request's body as text ('' when none). */
  body: string;
}

export type FakeHandler = (req: FakeRequest, res: http.ServerResponse) => void;

export class FakeApiServer {
  readonly requests: FakeRequest[] = [];
  handler: FakeHandler = (_req, res) => sendJson(res, 404, status(404, 'NotFound', 'no handler'));
  private readonly server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const r: FakeRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      watch: url.searchParams.get('watch') === 'true',
      at: performance.now(),
      body: '',
    };
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      r.body = Buffer.concat(chunks).toString('utf8');
      this.requests.push(r);
      this.handler(r, res);
    });
  });

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
  }

  get url(): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  kubeConfig(): KubeConfig {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'fake', server: this.url, skipTLSVerify: true }],
      users: [{ name: 'fake', token: 'fake' }],
      contexts: [{ name: 'fake', cluster: 'fake', user: 'fake' }],
      currentContext: 'fake',
    });
    return kc;
  }

  lists(): FakeRequest[] {
    return this.requests.filter((r) => r.method === 'GET' && !r.watch);
  }

  watches(): FakeRequest[] {
    return this.requests.filter((r) => r.watch);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

export function status(code: number, reason: string, message: string): object {
  return { kind: 'Status', apiVersion: 'v1', status: 'Failure', code, reason, message };
}

export function sendJson(res: http.ServerResponse, code: number, body: unknown): void {
  res.writeHead(code, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

export function configMap(name: string, resourceVersion: string, data: Record<string, string> = {}): object {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'ns', resourceVersion }, data };
}

export function configMapList(resourceVersion: string, items: object[]): object {
  return { apiVersion: 'v1', kind: 'ConfigMapList', metadata: { resourceVersion }, items };
}

/** Starts a watch response; events are written as JSON lines. */
export function watchStream(res: http.ServerResponse): {
  send: (type: string, object: unknown) => void;
  end: () => void;
} {
  res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
  res.flushHeaders();
  return {
    send: (type, object) => res.write(`${JSON.stringify({ type, object })}\n`),
    end: () => res.end(),
  };
}

/** Silent unless SHIPYARD_LOG_LEVEL says otherwise. */
export function testLogger(): Logger {
  return pino({ level: process.env.SHIPYARD_LOG_LEVEL ?? 'silent' });
}

export async function waitFor(what: string, check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
