// Two server replicas, one agent tunnel: each replica reaches the cluster whichever holds the tunnel, by a
// relay to the holder found through the Leases of the management cluster. Two real servers in this process
// against the run's management cluster, a user cluster of its own, and the real agent as a process.
import { readFileSync } from 'node:fs';
import { down, kubectl, up, type LocalCluster } from '@shipyard/localkube';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { KubeApiError } from '../runtime/kube-errors.js';
import { kubeRequest } from '../runtime/kube-request.js';
import { toLease, type Lease } from '../runtime/lease.js';
import { loadKubeConfig } from '../runtime/testing/cluster.js';
import { joinByAgent, type JoinedAgent } from '../testing/clusters.js';
import {
  ApiClient,
  eventually,
  startTestServer,
  testAdminPassword,
  type TestServer,
} from '../testing/server.js';
import { peerUrlOf, replicaLeaseName, tunnelLeaseName } from './leases.js';
import { AgentProcess } from './testing/agent-process.js';

const kubeconfig = inject('kubeconfig');
const mgmt = loadKubeConfig(kubeconfig);
const namespace = 'shipyard-system';
const run = Date.now().toString(36);
const cluster = `relay-${run}`;
const identity = { a: `relay-a-${run}`, b: `relay-b-${run}` };
let user: LocalCluster | undefined;
let a: TestServer;
let b: TestServer;
let adminA: ApiClient;
let adminB: ApiClient;
let joined: JoinedAgent | undefined;
let agentOnB: AgentProcess | undefined;
let agentToken: string;

async function lease(name: string): Promise<Lease | undefined> {
  try {
    const path = `/apis/coordination.k8s.io/v1/namespaces/${namespace}/leases/${name}`;
    return toLease(await kubeRequest(mgmt, { path }));
  } catch (err) {
    if (err instanceof KubeApiError && err.status === 404) return undefined;
    throw err;
  }
}

async function holder(name: string): Promise<string | undefined> {
  return (await lease(name))?.spec.holderIdentity;
}

async function timed(client: ApiClient, path: string): Promise<{ status: number; ms: number }> {
  const started = performance.now();
  const r = await client.get(path);
  return { status: r.status, ms: performance.now() - started };
}

const quantile = (xs: number[], q: number) =>
  [...xs].sort((x, y) => x - y)[Math.floor(q * (xs.length - 1))] ?? NaN;

beforeAll(async () => {
  user = await up({ name: `relay-${run}`, nodes: 1 });
  // The cluster's RBAC for the platform admin (the platform's RBAC controller would write it).
  await kubectl(user, [
    'create',
    'clusterrolebinding',
    `shipyard-admin-${run}`,
    '--clusterrole=cluster-admin',
    '--user=admin',
  ]);
  // Started together: both race to create the peer Secret, and must end up with the same token.
  [a, b] = await Promise.all([
    startTestServer(kubeconfig, { identity: identity.a }),
    startTestServer(kubeconfig, { identity: identity.b }),
  ]);
  adminA = await ApiClient.signedIn(a.url, 'admin', testAdminPassword);
  adminB = await ApiClient.signedIn(b.url, 'admin', testAdminPassword);
  joined = await joinByAgent(adminA, a, cluster, user.kubeconfig);
  agentToken = (JSON.parse(readFileSync(joined.stateFile, 'utf8')) as { agentToken: string }).agentToken;
});

afterAll(async () => {
  await agentOnB?.stop();
  await joined?.close();
  await Promise.all([a?.close(), b?.close()]);
  for (const path of [
    `/apis/shipyard.dev/v1alpha1/clusters/${cluster}`,
    `/api/v1/namespaces/${namespace}/secrets/cluster-access-${cluster}`,
  ]) {
    await kubeRequest(mgmt, { method: 'DELETE', path }).catch(() => undefined);
  }
  if (user) await down(user.name);
});

describe('replicas relay to the replica that holds the tunnel', () => {
  it('registers both replicas with their peer URLs; the tunnel Lease names the replica the agent is on', async () => {
    expect(peerUrlOf(await lease(replicaLeaseName(identity.a)))).toBe(a.tlsUrl);
    expect(peerUrlOf(await lease(replicaLeaseName(identity.b)))).toBe(b.tlsUrl);
    expect(await holder(tunnelLeaseName(cluster))).toBe(identity.a);
  });

  it('serves the cluster through B, whose replica has no agent: a list, a watch, and the agent status', async () => {
    const list = await adminB.get<{
      metadata: { resourceVersion: string };
      items: { metadata: { name: string } }[];
    }>(`/k8s/clusters/${cluster}/api/v1/namespaces`);
    expect(list.status).toBe(200);
    expect(list.body.items.map((n) => n.metadata.name)).toContain('kube-system');

    // The watch starts from the list's resourceVersion: every namespace created after the list is an event.
    // (The proxy sends its response headers with the first event, so the first one is created before
    // awaiting them; the second after the first arrived, to see the stream live.)
    if (!user) throw new Error('no user cluster');
    const abort = new AbortController();
    const timeout = setTimeout(() => abort.abort(), 30_000);
    const watching = fetch(
      `${b.url}/k8s/clusters/${cluster}/api/v1/namespaces?watch=true&resourceVersion=${list.body.metadata.resourceVersion}`,
      { headers: { cookie: adminB.cookie ?? '' }, signal: abort.signal },
    );
    let text = '';
    try {
      await kubectl(user, ['create', 'namespace', `watched-${run}`]);
      const watch = await watching;
      expect(watch.status).toBe(200);
      const reader = watch.body?.getReader();
      if (!reader) throw new Error('no watch body');
      const decoder = new TextDecoder();
      const until = async (name: string) => {
        while (!text.includes(`"name":"${name}"`)) {
          const { value, done } = await reader.read();
          if (done) throw new Error(`the watch ended before ${name}: ${text}`);
          text += decoder.decode(value, { stream: true });
        }
      };
      await until(`watched-${run}`);
      await kubectl(user, ['create', 'namespace', `watched-later-${run}`]);
      await until(`watched-later-${run}`);
    } finally {
      clearTimeout(timeout);
      abort.abort();
    }
    expect(text).toMatch(new RegExp(`"type":"ADDED".*"name":"watched-${run}"`));
    expect(text).toMatch(new RegExp(`"type":"ADDED".*"name":"watched-later-${run}"`));

    const status = b.tunnels.agentStatus(cluster);
    expect(status.connected).toBe(true);
    expect(Date.now() - (status.lastSeen?.getTime() ?? 0)).toBeLessThan(15_000);
  });

  it('measures GET /version relayed through B against local on A', async () => {
    const samples = { local: [] as number[], relayed: [] as number[] };
    const path = `/k8s/clusters/${cluster}/version`;
    for (let i = 0; i < 5; i++) await Promise.all([adminA.get(path), adminB.get(path)]); // warm pools
    for (let i = 0; i < 50; i++) {
      const l = await timed(adminA, path);
      const r = await timed(adminB, path);
      expect([l.status, r.status]).toEqual([200, 200]);
      samples.local.push(l.ms);
      samples.relayed.push(r.ms);
    }
    const fmt = (xs: number[]) =>
      `p50 ${quantile(xs, 0.5).toFixed(2)} ms, p90 ${quantile(xs, 0.9).toFixed(2)} ms`;
    console.log(
      `GET /version ×50 — local on A: ${fmt(samples.local)}; relayed through B: ${fmt(samples.relayed)}`,
    );
    // A kept-alive connection through the relay adds hops, not handshakes.
    expect(quantile(samples.relayed, 0.5)).toBeLessThan(quantile(samples.local, 0.5) * 5 + 20);
  });

  it('answers 503 through B within 5 s once the agent is killed', async () => {
    await joined?.agent.stop(); // SIGKILL
    const killed = performance.now();
    const r = await eventually(
      'B answers 503',
      async () => {
        const t = await timed(adminB, `/k8s/clusters/${cluster}/version`);
        expect(t.ms).toBeLessThan(5_000);
        return t.status === 503 ? t : undefined;
      },
      5_000,
    );
    console.log(`503 through B ${(performance.now() - killed).toFixed(0)} ms after the agent was killed`);
    expect(r.status).toBe(503);
    await eventually('the tunnel Lease is deleted', async () =>
      (await lease(tunnelLeaseName(cluster))) === undefined ? true : undefined,
    );
    expect(b.tunnels.agentStatus(cluster).connected).toBe(false);
    expect(a.tunnels.agentStatus(cluster).connected).toBe(false);
  });

  it('reaches the agent restarted against B from A, through B', async () => {
    if (!user) throw new Error('no user cluster');
    agentOnB = new AgentProcess(['--server', b.url, '--token', agentToken, '--kubeconfig', user.kubeconfig]);
    await eventually(
      'the agent holds its tunnel on B',
      async () => ((await holder(tunnelLeaseName(cluster))) === identity.b ? true : undefined),
      30_000,
    );
    await eventually('A reaches the cluster', async () =>
      (await adminA.get(`/k8s/clusters/${cluster}/version`)).status === 200 ? true : undefined,
    );
    const list = await adminA.get<{ items: unknown[] }>(`/k8s/clusters/${cluster}/api/v1/namespaces`);
    expect(list.status).toBe(200);
    expect(list.body.items.length).toBeGreaterThan(0);
    expect(a.tunnels.agentStatus(cluster).connected).toBe(true);
  });

  it('keeps serving through B when A stops, and A leaves no Lease behind', async () => {
    await a.close();
    expect((await adminB.get(`/k8s/clusters/${cluster}/api/v1/namespaces`)).status).toBe(200);
    expect(await lease(replicaLeaseName(identity.a))).toBeUndefined();
    expect(await holder(tunnelLeaseName(cluster))).toBe(identity.b);
  });

  it('deletes the tunnel Lease B held and its registry entry when B stops', async () => {
    await b.close();
    expect(await lease(tunnelLeaseName(cluster))).toBeUndefined();
    expect(await lease(replicaLeaseName(identity.b))).toBeUndefined();
  });
});
