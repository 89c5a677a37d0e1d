/**
 * Registration against the run's local cluster: the access objects applied with the admin kubeconfig
 * (twice: idempotent), what the ServiceAccount token they yield may and may not do, and the agent's whole
 * start-up — out of a cluster (state file) and as in a pod (state Secret) — against fakeRegisterServer,
 * a real HTTP server standing in for the server's routes.
 */
import { readFileSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { KubeConfig, RbacAuthorizationV1Api, CoreV1Api } from '@kubernetes/client-node';
import { agentClusterRoleBindingName } from '@shipyard/api';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { main } from './cli.js';
import { kubeconfigAccess, type ClusterAccess } from './cluster-access.js';
import { REGISTRATION_REFUSED } from './register.js';
import { fakeRegisterServer, type FakeRegisterServer } from './testing/fake-register-server.js';
import { TUNNEL_REFUSED } from './tunnel-client.js';

const ns = `agent-reg-${Date.now().toString(36)}`;
const token = (prefix: 'syr' | 'sya', n: number): string =>
  `${prefix}_${n.toString(16).padStart(12, '0')}_${String.fromCharCode(97 + n).repeat(43)}`;

let kubeconfig: string;
let kc: KubeConfig;
let api: { host: string; port: number; ca: Buffer };
let fake: FakeRegisterServer;
let dir: string;
let access: ClusterAccess;

/** Runs the agent in-process until a line matches `until` (then stops it) or it exits by itself. */
async function agent(
  argv: string[],
  opts: { env?: NodeJS.ProcessEnv; until?: RegExp; serviceAccountDir?: string } = {},
): Promise<{ code: number; lines: string[] }> {
  const lines: string[] = [];
  const stop = new AbortController();
  const timer = setTimeout(() => stop.abort(), 60_000);
  const write = (s: string): boolean => {
    lines.push(
      ...s
        .trimEnd()
        .split('\n')
        .map((l) => l.replace(/^\S+ shipyard-agent: /, '')),
    );
    if (opts.until?.test(s)) stop.abort();
    return true;
  };
  const code = await main(['--server', fake.url, ...argv], {
    env: opts.env ?? {},
    stop: stop.signal,
    err: { write },
    serviceAccountDir: opts.serviceAccountDir,
    backoff: { baseMs: 50, maxMs: 200 },
  });
  clearTimeout(timer);
  return { code, lines };
}

/** One GET to the API server with a bearer token, optionally impersonating. */
function get(
  path: string,
  bearer: string,
  impersonate?: string,
): Promise<{ status: number; message: string }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { authorization: `Bearer ${bearer}` };
    if (impersonate) headers['impersonate-user'] = impersonate;
    const req = https.get({ host: api.host, port: api.port, path, ca: api.ca, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (c: string) => (text += c));
      res.on('end', () => {
        const body = JSON.parse(text) as { message?: string };
        resolve({ status: res.statusCode ?? 0, message: body.message ?? '' });
      });
    });
    req.on('error', reject);
  });
}

beforeAll(async () => {
  kubeconfig = inject('kubeconfig');
  kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  const cluster = kc.getCurrentCluster();
  if (!cluster?.caFile) throw new Error('the shared kubeconfig names no CA file');
  const url = new URL(cluster.server);
  api = { host: url.hostname, port: Number(url.port), ca: readFileSync(cluster.caFile) };
  dir = mkdtempSync(path.join(tmpdir(), 'agent-register-'));
  fake = await fakeRegisterServer();
});

afterAll(async () => {
  await fake?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  // The ClusterRole shipyard-agent is shared by every agent namespace; the binding and namespace are ours.
  await kc
    ?.makeApiClient(RbacAuthorizationV1Api)
    .deleteClusterRoleBinding({ name: agentClusterRoleBindingName(ns) })
    .catch((e: unknown) => console.log(`[register] cleanup: ${String(e)}`));
  await kc
    ?.makeApiClient(CoreV1Api)
    .deleteNamespace({ name: ns })
    .catch((e: unknown) => console.log(`[register] cleanup: ${String(e)}`));
});

describe('cluster access objects', () => {
  it('are applied with the admin kubeconfig, twice without change, and yield the ServiceAccount token', async () => {
    const t0 = performance.now();
    access = await kubeconfigAccess({ kubeconfig, namespace: ns });
    const firstMs = performance.now() - t0;
    const rbac = kc.makeApiClient(RbacAuthorizationV1Api);
    const versions = async (): Promise<(string | undefined)[]> => [
      (await rbac.readClusterRoleBinding({ name: agentClusterRoleBindingName(ns) })).metadata
        ?.resourceVersion,
      (await rbac.readNamespacedRole({ name: 'shipyard-agent', namespace: ns })).metadata?.resourceVersion,
      (
        await kc
          .makeApiClient(CoreV1Api)
          .readNamespacedServiceAccount({ name: 'shipyard-agent', namespace: ns })
      ).metadata?.resourceVersion,
    ];
    const before = await versions();
    const t1 = performance.now();
    const again = await kubeconfigAccess({ kubeconfig, namespace: ns });
    console.log(
      `[register] access objects: first setup ${firstMs.toFixed(0)} ms (incl. token), again ${(performance.now() - t1).toFixed(0)} ms`,
    );
    expect(again).toEqual(access);
    expect(await versions()).toEqual(before);
    expect(access.apiServer).toEqual({ host: api.host, port: api.port });
    expect(Buffer.from(access.caData, 'base64').equals(api.ca)).toBe(true);
    expect(access.serviceAccountToken.split('.')).toHaveLength(3);
  });

  it('let the token impersonate (the impersonated user is what is refused), and not read Secrets', async () => {
    const sa = access.serviceAccountToken;
    const asUser = await get('/api/v1/namespaces/default/pods', sa, 'qa-nobody');
    expect(asUser.status).toBe(403);
    expect(asUser.message).toMatch(/User "qa-nobody" cannot list resource "pods"/);
    expect(asUser.message).not.toMatch(/impersonate/);
    // Its own rights: read pods, version; not Secrets, except its own by name.
    expect((await get('/api/v1/pods?limit=1', sa)).status).toBe(200);
    expect((await get('/version', sa)).status).toBe(200);
    const secrets = await get('/api/v1/namespaces/kube-system/secrets', sa);
    expect(secrets.status).toBe(403);
    expect(secrets.message).toMatch(
      new RegExp(`User "system:serviceaccount:${ns}:shipyard-agent" cannot list resource "secrets"`),
    );
    expect((await get(`/api/v1/namespaces/${ns}/secrets`, sa)).status).toBe(403);
    expect((await get(`/api/v1/namespaces/${ns}/secrets/shipyard-agent-token`, sa)).status).toBe(200);
  });
});

describe('the agent out of a cluster (--kubeconfig, state file)', () => {
  const SYR = token('syr', 1);
  const SYA = token('sya', 1);
  let state: string;

  it('registers, saves its state 0600, and dials the tunnel with the agent token', async () => {
    state = path.join(dir, 'home', '.shipyard', 'east.json');
    fake.issue(SYR, 'east', SYA);
    const args = ['--token', SYR, '--kubeconfig', kubeconfig, '--state', state, '--namespace', ns];
    const { code, lines } = await agent(args, { until: / connected to / });
    expect(code).toBe(0);
    expect(lines).toEqual([
      `registering with ${fake.url}/ as ServiceAccount ${ns}/shipyard-agent`,
      `registered as cluster east; saved in ${state}`,
      `connecting to ${fake.url.replace('http', 'ws')}/api/v1/tunnel`,
      expect.stringMatching(/^connected to .*; API server 127\.0\.0\.1:\d+$/),
      'stopped',
    ]);
    const call = fake.calls.at(-1);
    expect(call).toEqual({
      authorization: `Bearer ${SYR}`,
      body: {
        apiServer: { host: api.host, port: api.port, caData: api.ca.toString('base64') },
        serviceAccountToken: access.serviceAccountToken,
      },
      serviceAccount: `system:serviceaccount:${ns}:shipyard-agent`,
      status: 201,
    });
    expect(JSON.parse(readFileSync(state, 'utf8'))).toEqual({
      server: `${fake.url}/`,
      cluster: 'east',
      agentToken: SYA,
      registrationTokenId: '000000000001',
    });
    expect(statSync(state).mode & 0o777).toBe(0o600);
    expect(fake.upgrades.at(-1)).toBe(SYA);
  });

  it('restarts from its state without a registration token, or with the used one again', async () => {
    const calls = fake.calls.length;
    for (const env of [{}, { SHIPYARD_AGENT_TOKEN: SYR }]) {
      const { code, lines } = await agent(['--kubeconfig', kubeconfig, '--state', state], {
        env,
        until: / connected to /,
      });
      expect(code).toBe(0);
      expect(lines[0]).toBe(`cluster east: using the agent token saved in ${state}`);
      expect(lines).toContainEqual(expect.stringMatching(/^connected to /));
    }
    expect(fake.calls).toHaveLength(calls);
  });

  it('exits 4 with one line when the server refuses the registration token', async () => {
    // The used token again, with no state to fall back on: the server says no.
    const fresh = path.join(dir, 'fresh.json');
    const args = ['--token', SYR, '--kubeconfig', kubeconfig, '--state', fresh, '--namespace', ns];
    const { code, lines } = await agent(args);
    expect(code).toBe(4);
    expect(lines.at(-1)).toBe(`shipyard-agent: ${REGISTRATION_REFUSED}`);
    expect(fake.calls.at(-1)?.status).toBe(401);
    expect(() => statSync(fresh)).toThrow(/ENOENT/);
  });

  it('exits 4 with one line when the server refuses the saved agent token', async () => {
    fake.revoke(SYA);
    const { code, lines } = await agent(['--kubeconfig', kubeconfig, '--state', state]);
    expect(code).toBe(4);
    expect(lines.at(-1)).toBe(TUNNEL_REFUSED);
    expect(fake.upgrades.at(-1)).toBe(SYA);
  });
});

describe('the agent in a cluster (its ServiceAccount, state Secret)', () => {
  const SYR = token('syr', 2);
  const SYA = token('sya', 2);
  let saDir: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(() => {
    // A pod's mounted ServiceAccount: its token (here the long-lived one of the same ServiceAccount) and CA.
    saDir = path.join(dir, 'serviceaccount');
    mkdirSync(saDir);
    writeFileSync(path.join(saDir, 'token'), access.serviceAccountToken);
    writeFileSync(path.join(saDir, 'ca.crt'), api.ca);
    env = { KUBERNETES_SERVICE_HOST: api.host, KUBERNETES_SERVICE_PORT: String(api.port), POD_NAMESPACE: ns };
  });

  it('registers with the token Secret the manifest made, and writes its state Secret itself', async () => {
    fake.issue(SYR, 'west', SYA);
    const { code, lines } = await agent([], {
      env: { ...env, SHIPYARD_AGENT_TOKEN: SYR },
      serviceAccountDir: saDir,
      until: / connected to /,
    });
    expect(code).toBe(0);
    expect(lines.slice(0, 2)).toEqual([
      `registering with ${fake.url}/ as ServiceAccount ${ns}/shipyard-agent`,
      `registered as cluster west; saved in Secret ${ns}/shipyard-agent-state`,
    ]);
    expect(fake.calls.at(-1)).toMatchObject({
      body: { apiServer: { host: api.host, port: api.port, caData: api.ca.toString('base64') } },
      serviceAccount: `system:serviceaccount:${ns}:shipyard-agent`,
      status: 201,
    });
    const secret = await kc
      .makeApiClient(CoreV1Api)
      .readNamespacedSecret({ name: 'shipyard-agent-state', namespace: ns });
    const data = Object.fromEntries(
      Object.entries(secret.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString()]),
    );
    expect(data).toEqual({
      server: `${fake.url}/`,
      cluster: 'west',
      agentToken: SYA,
      registrationTokenId: '000000000002',
    });
    expect(secret.metadata?.managedFields?.map((f) => f.manager)).toEqual(['shipyard-agent']);
    expect(fake.upgrades.at(-1)).toBe(SYA);
  });

  it('restarts from the state Secret, with the same registration token still in its environment', async () => {
    const calls = fake.calls.length;
    const { code, lines } = await agent([], {
      env: { ...env, SHIPYARD_AGENT_TOKEN: SYR },
      serviceAccountDir: saDir,
      until: / connected to /,
    });
    expect(code).toBe(0);
    expect(lines[0]).toBe(`cluster west: using the agent token saved in Secret ${ns}/shipyard-agent-state`);
    expect(fake.calls).toHaveLength(calls);
  });
});
