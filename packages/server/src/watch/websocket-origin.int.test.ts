// A WebSocket that a session cookie authenticates must come from a page of this server (http/origin.ts): the
// watch channel and the kube proxy's upgrades refuse (403, before any upgrade) any other Origin, `null`
// included; bearer-token clients are not asked.
import type { IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { WebSocket } from 'ws';
import { joinDirect, leaveDirect } from '../testing/clusters.js';
import { ApiClient, eventually, startTestServer, type TestServer } from '../testing/server.js';

let server: TestServer;
let admin: ApiClient;
let token: string;
const management = inject('kubeconfig');
const cluster = `origin-${Date.now().toString(36)}`;

beforeAll(async () => {
  server = await startTestServer(management);
  admin = await ApiClient.asAdmin(server.url);
  token = (await admin.post<{ token: string }>('/api/v1/tokens', { name: 'origin' })).body.token;
  await joinDirect(admin, management, cluster, management);
  await eventually(`cluster ${cluster} answers`, async () =>
    (await admin.get(`/k8s/clusters/${cluster}/version`)).status === 200 ? true : undefined,
  );
});
afterAll(async () => {
  await leaveDirect({ admin, management, names: [cluster] });
  await server?.close();
});

/** The status of a WebSocket handshake to `path` with these headers (101 when it opened), and a refusal's body. */
function handshake(path: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  const ws = new WebSocket(server.url.replace(/^http/, 'ws') + path, { headers, perMessageDeflate: false });
  return new Promise((resolve, reject) => {
    ws.once('upgrade', (res: IncomingMessage) => {
      resolve({ status: res.statusCode ?? 0, body: '' });
      ws.terminate();
    });
    ws.once('unexpected-response', (_req, res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.once('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
    });
    ws.once('error', (err) => reject(err));
  });
}

const own = () => server.url;
const foreign = ['https://evil.example', 'null', 'http://127.0.0.1:1', 'file://', 'not an origin'];
const paths = () => ({
  watch: '/api/v1/watch',
  proxy: `/k8s/clusters/${cluster}/api/v1/namespaces?watch=1`,
});

describe('cookie-authenticated WebSockets check Origin', () => {
  for (const which of ['watch', 'proxy'] as const) {
    it(`${which}: refuses a session cookie from any other origin with 403 before the upgrade`, async () => {
      for (const origin of foreign) {
        const r = await handshake(paths()[which], { cookie: admin.cookie ?? '', origin });
        expect(r.status, origin).toBe(403);
        expect(r.body, origin).toMatch(/^\{/);
        expect(JSON.parse(r.body), origin).toMatchObject({
          code: 403,
          message: expect.stringContaining('WebSocket from another origin'),
        });
      }
    });

    it(`${which}: opens with a session cookie from its own origin, and with a bearer token from any`, async () => {
      expect((await handshake(paths()[which], { cookie: admin.cookie ?? '', origin: own() })).status).toBe(
        101,
      );
      const bearer = await handshake(paths()[which], {
        authorization: `Bearer ${token}`,
        origin: 'https://evil.example',
      });
      // The cluster's own WebSocket watch checks nothing of ours: it opens, as the watch channel does.
      expect(bearer.status, bearer.body).toBe(101);
    });
  }
});
