// The browser's live channel: subscribe to lists, hear (debounced) which changed.
import { kubectl } from '@shipyard/localkube';
import { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { joinDirect, leaveDirect } from '../testing/clusters.js';
import { ApiClient, startTestServer, testAdminPassword, type TestServer } from '../testing/server.js';

let server: TestServer;
let admin: ApiClient;
const run = Date.now().toString(36);
const made: string[] = [];

function open(headers: Record<string, string>): Promise<WebSocket> {
  const ws = new WebSocket(server.url.replace('http', 'ws') + '/api/v1/watch', { headers });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

/** The messages as they come, and when each came (ms since the page's clock origin). */
function messages(ws: WebSocket, at: number[] = []): unknown[] {
  const got: unknown[] = [];
  ws.on('message', (d: Buffer) => {
    got.push(JSON.parse(d.toString()));
    at.push(performance.now());
  });
  return got;
}

async function until(check: () => boolean, ms = 3000) {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

beforeAll(async () => {
  server = await startTestServer(inject('kubeconfig'));
  admin = await ApiClient.signedIn(server.url, 'admin', testAdminPassword);
});
afterAll(async () => {
  for (const name of made) await admin.del(`/api/v1/tenants/${name}`);
  await server?.close();
});

describe('GET /api/v1/watch', () => {
  it('tells a subscriber which list changed, one message for a burst', async () => {
    const ws = await open({ cookie: admin.cookie ?? '' });
    const at: number[] = [];
    const got = messages(ws, at);
    ws.send(JSON.stringify({ subscribe: ['management/tenants', 'management/clusters'] }));
    await until(() => got.length === 1);
    expect(got[0]).toEqual({ subscribed: ['management/tenants', 'management/clusters'] });
    const names = Array.from({ length: 10 }, (_, i) => `watch-${run}-${i}`);
    made.push(...names);
    await Promise.all(names.map((name) => admin.post('/api/v1/tenants', { metadata: { name }, spec: {} })));
    await until(() => got.length >= 2);
    await new Promise((r) => setTimeout(r, 600));
    const changes = got.slice(1);
    expect(changes.every((m) => JSON.stringify(m) === '{"changed":"management/tenants"}')).toBe(true);
    // Ten creates (and their status writes) make fewer messages, at most one per 200 ms window (less what delivery may skew).
    expect(changes.length).toBeLessThan(names.length);
    const gaps = at.slice(2).map((t, i) => t - at[i + 1]!);
    expect(
      gaps.every((g) => g >= 100),
      gaps.join(', '),
    ).toBe(true);
    ws.close();
  });

  it('takes a bearer token, refuses bad subscriptions, and refuses no credentials or another origin', async () => {
    const made = await admin.post<{ token: string }>('/api/v1/tokens', { name: 'watch' });
    const ws = await open({ authorization: `Bearer ${made.body.token}` });
    const got = messages(ws);
    ws.send('not json');
    ws.send(JSON.stringify({ subscribe: ['../etc'] }));
    await until(() => got.length === 2);
    expect(got[0]).toMatchObject({ error: expect.stringContaining('JSON') });
    expect(got[1]).toMatchObject({ error: '"../etc" is not <cluster>/<plural>' });
    ws.close();
    await expect(open({})).rejects.toThrow('HTTP 401');
    await expect(open({ cookie: admin.cookie ?? '', origin: 'https://evil.example' })).rejects.toThrow(
      'HTTP 403',
    );
  });

  it("tells a subscriber when a cluster's namespaces change, as for platform lists", async () => {
    const kubeconfig = inject('kubeconfig');
    const cluster = `watch-${run}`;
    const namespace = `watch-ns-${run}`;
    await joinDirect(admin, kubeconfig, cluster, kubeconfig);
    try {
      // The cluster's store starts with its first list.
      for (let i = 0; (await admin.get(`/api/v1/clusters/${cluster}/namespaces`)).status !== 200; i++) {
        if (i > 100) throw new Error('the namespaces of the cluster never listed');
        await new Promise((r) => setTimeout(r, 100));
      }
      const ws = await open({ cookie: admin.cookie ?? '' });
      const got = messages(ws);
      ws.send(JSON.stringify({ subscribe: [`${cluster}/namespaces`] }));
      await until(() => got.length === 1);
      await kubectl({ kubeconfig }, ['create', 'namespace', namespace]);
      await until(() => got.length >= 2, 5000);
      expect(got[1]).toEqual({ changed: `${cluster}/namespaces` });
      ws.close();
    } finally {
      await kubectl({ kubeconfig }, ['delete', 'namespace', namespace, '--wait=false']).catch(
        () => undefined,
      );
      await leaveDirect({ admin, management: kubeconfig, names: [cluster] });
    }
  });
});
