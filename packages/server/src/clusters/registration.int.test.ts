// Registering a cluster's agent: one-time, expiring tokens; refusals answered 401 and audited.
import { kubectl } from '@shipyard/localkube';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { WebSocket } from 'ws';
import { parseAllDocuments } from 'yaml';
import { ApiClient, startTestServer, type TestServer } from '../testing/server.js';

const kubeconfig = inject('kubeconfig');
const run = Date.now().toString(36);
const agentCluster = `reg-${run}`;
const directCluster = `regd-${run}`;
const viewer = `regview-${run}`;
let server: TestServer;
let admin: ApiClient;
let caData: string;
let saToken: string;

type Audit = { items: { verb: string; kind: string; name?: string; outcome: number; reason?: string }[] };

const register = (token: string, body: object = registerBody()) =>
  new ApiClient(server.url).request('POST', '/api/v1/agent/register', body, {
    authorization: `Bearer ${token}`,
  });

function registerBody(ca = caData) {
  return { apiServer: { host: '127.0.0.1', port: 6443, caData: ca }, serviceAccountToken: saToken };
}

async function newRegistration(cluster = agentCluster): Promise<string> {
  const r = await admin.post<{ token: string }>(`/api/v1/clusters/${cluster}/registrations`, {});
  expect(r.status).toBe(201);
  expect(r.body.token).toMatch(/^syr_[0-9a-f]{12}_[\w-]{43}$/);
  return r.body.token;
}

/** Opens /api/v1/tunnel as an agent would; resolves with the handshake's HTTP status (101 when accepted). */
function tunnelStatus(token: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${server.url.replace('http', 'ws')}/api/v1/tunnel`, {
      headers: { authorization: `Bearer ${token}` },
    });
    ws.once('upgrade', () => {
      ws.terminate();
      resolve(101);
    });
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.once('error', reject);
  });
}

beforeAll(async () => {
  server = await startTestServer(kubeconfig);
  admin = await ApiClient.asAdmin(server.url);
  for (const [name, mode] of [
    [agentCluster, 'agent'],
    [directCluster, 'direct'],
  ] as const) {
    const r = await admin.post('/api/v1/clusters', {
      metadata: { name },
      spec: { connection: { mode, kubeconfigSecret: mode === 'direct' ? `kc-${name}` : undefined } },
    });
    expect(r.status).toBe(201);
  }
  expect(
    (await admin.post('/api/v1/users', { metadata: { name: viewer }, spec: { password: 'viewer-pass-1' } }))
      .status,
  ).toBe(201);
  caData = Buffer.from(server.ca).toString('base64'); // any real PEM certificate will do here
  saToken = 'a-service-account-token-of-the-agent';
});

afterAll(async () => {
  await admin?.del(`/api/v1/clusters/${agentCluster}`);
  await admin?.del(`/api/v1/clusters/${directCluster}`);
  await admin?.del(`/api/v1/users/${viewer}`);
  await server?.close();
});

describe('registration tokens', () => {
  it('are issued to admins of the cluster, with the agent command', async () => {
    const r = await admin.post<{
      token: string;
      expiresAt: string;
      command: string;
      server: string;
      manifest: string;
    }>(`/api/v1/clusters/${agentCluster}/registrations`, { ttlSeconds: 600 });
    expect(r.status).toBe(201);
    const ttl = Date.parse(r.body.expiresAt) - Date.now();
    expect(ttl).toBeGreaterThan(590_000);
    expect(ttl).toBeLessThanOrEqual(600_000);
    expect(r.body.command).toContain(`--token ${r.body.token}`);
    expect(r.body.command).toContain(`--server ${r.body.server}`);
    const docs = parseAllDocuments(r.body.manifest).map((d) => d.toJSON() as { kind: string });
    expect(docs.map((d) => d.kind)).toEqual(
      expect.arrayContaining(['ServiceAccount', 'ClusterRole', 'Deployment']),
    );
    expect(r.body.manifest).toContain(`token: ${r.body.token}`);
  });

  it('are refused for unknown clusters, direct clusters, bad lifetimes and users without access', async () => {
    expect((await admin.post('/api/v1/clusters/no-such-cluster/registrations', {})).status).toBe(404);
    const direct = await admin.post(`/api/v1/clusters/${directCluster}/registrations`, {});
    expect(direct.status).toBe(409);
    expect(direct.body.field).toBe('spec.connection.mode');
    expect(
      (await admin.post(`/api/v1/clusters/${agentCluster}/registrations`, { ttlSeconds: 5 })).status,
    ).toBe(422);
    const v = await ApiClient.signedIn(server.url, viewer, 'viewer-pass-1');
    expect((await v.post(`/api/v1/clusters/${agentCluster}/registrations`, {})).status).toBe(403);
  });
});

describe('POST /api/v1/agent/register', () => {
  it('exchanges a registration token once for an agent credential that opens the tunnel', async () => {
    const token = await newRegistration();
    const first = await register(token);
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ cluster: agentCluster, agentToken: expect.stringMatching(/^sya_/) });
    const access = await kubectl({ kubeconfig }, [
      'get',
      'secret',
      `cluster-access-${agentCluster}`,
      '-n',
      'shipyard-system',
      '-o',
      'jsonpath={.data.token}',
    ]);
    expect(Buffer.from(access, 'base64').toString()).toBe(saToken);

    const again = await register(token);
    expect(again.status).toBe(401);
    expect(again.body.message).toMatch(/unknown, expired or already used/);

    expect(await tunnelStatus(first.body.agentToken as string)).toBe(101);
    expect(await tunnelStatus(token)).toBe(401); // a registration token is not an agent credential
    expect(await tunnelStatus('sya_000000000000_' + 'A'.repeat(43))).toBe(401);

    // Registering again replaces the agent: the earlier credential stops working.
    const second = await register(await newRegistration());
    expect(second.status).toBe(201);
    expect(await tunnelStatus(first.body.agentToken as string)).toBe(401);
    expect(await tunnelStatus(second.body.agentToken as string)).toBe(101);
  });

  it('lets exactly one of two concurrent uses of a token win', async () => {
    const token = await newRegistration();
    const answers = await Promise.all([register(token), register(token), register(token)]);
    expect(answers.map((a) => a.status).sort()).toEqual([201, 401, 401]);
  });

  it('refuses forged and expired tokens, and audits every refusal', async () => {
    const forged = await register('syr_0123456789ab_' + 'x'.repeat(43));
    expect(forged.status).toBe(401);
    expect((await register('not-a-token')).status).toBe(401);

    const token = await newRegistration();
    const id = token.split('_')[1];
    const past = Buffer.from(new Date(Date.now() - 1000).toISOString()).toString('base64');
    await kubectl({ kubeconfig }, [
      'patch',
      'secret',
      `registration-${id}`,
      '-n',
      'shipyard-system',
      '--type=merge',
      '-p',
      JSON.stringify({ data: { expiresAt: past } }),
    ]);
    await new Promise((r) => setTimeout(r, 1000)); // the servers' caches see the change
    const expired = await register(token);
    expect(expired.status).toBe(401);

    const audit = await admin.get<Audit>('/api/v1/audit?verb=register&outcome=401');
    expect(audit.status).toBe(200);
    expect(audit.body.items.length).toBeGreaterThanOrEqual(3);
    expect(audit.body.items.every((i) => i.kind === 'clusters')).toBe(true);
  });

  it('refuses a bad body without using the token up', async () => {
    const token = await newRegistration();
    expect((await register(token, { apiServer: { host: '127.0.0.1', port: 0, caData } })).status).toBe(422);
    const badCa = await register(token, registerBody(Buffer.from('not a certificate').toString('base64')));
    expect(badCa.status).toBe(422);
    expect(badCa.body.field).toBe('apiServer.caData');
    expect((await register(token)).status).toBe(201);
  });
});
