// Cluster status and detail lists against two real user clusters: one joined directly (2 nodes), one by the real
// agent (1 node). Status fills in and follows the agent leaving and coming back and an apiserver that stops;
// the nodes, namespaces and events lists page, sort, filter and refuse who may not see the cluster.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Cluster } from '@shipyard/api';
import { defaultNodeShape, down, kubectl, up, type LocalCluster } from '@shipyard/localkube';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { JoinedAgent } from '../testing/clusters.js';
import { joinByAgent, joinDirect } from '../testing/clusters.js';
import { ApiClient, eventually, startTestServer, type TestServer } from '../testing/server.js';

const kubeconfig = inject('kubeconfig');
const management = { kubeconfig };
const run = Date.now().toString(36);
const direct = `st-d-${run}`;
const viaAgent = `st-a-${run}`;
const ns = `st-${run}`;
const nobody = `st-nobody-${run}`;
const viewer = `st-viewer-${run}`;
const password = 'status-password-1';

let server: TestServer;
let admin: ApiClient;
let directKube: LocalCluster | undefined;
let agentKube: LocalCluster | undefined;
let agent: JoinedAgent | undefined;
let agentJoinError: unknown;
let directJoinedAt = 0;

type List<T = Record<string, unknown>> = { items: T[]; total: number };
type KubeObject = {
  apiVersion?: string;
  kind?: string;
  metadata: { name: string; namespace?: string; managedFields?: unknown };
  involvedObject?: { kind: string; name: string };
};
type ErrorBody = { code: number; reason: string; message: string; field?: string };

const condition = (c: Cluster | undefined, type: string) =>
  c?.status?.conditions?.find((x) => x.type === type);

async function cluster(name: string): Promise<Cluster> {
  const r = await admin.get<Cluster>(`/api/v1/clusters/${name}`);
  expect(r.status).toBe(200);
  return r.body;
}

/** Polls the Cluster until `ok` holds; returns it and how long that took. */
async function statusUntil(
  name: string,
  what: string,
  ok: (c: Cluster) => boolean,
  timeoutMs: number,
): Promise<{ c: Cluster; ms: number }> {
  const t0 = Date.now();
  let last: Cluster | undefined;
  try {
    const c = await eventually(
      `${name}: ${what}`,
      async () => {
        last = await cluster(name);
        return ok(last) ? last : undefined;
      },
      timeoutMs,
    );
    return { c, ms: Date.now() - t0 };
  } catch (err) {
    throw new Error(`${(err as Error).message}; last status: ${JSON.stringify(last?.status)}`);
  }
}

/** Kills a local cluster's kube-apiserver alone (etcd and the rest go on), as when it crashes; nothing restarts it. */
function killApiserver(c: LocalCluster): void {
  const bin = path.join(path.dirname(c.kubeconfig), 'bin', 'kube-apiserver');
  const pids = readdirSync('/proc').filter((entry) => {
    try {
      return readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0')[0] === bin;
    } catch {
      return false; // not a process, or it ended while we looked
    }
  });
  expect(pids).toHaveLength(1);
  process.kill(Number(pids[0]), 'SIGKILL');
}

beforeAll(async () => {
  // The two user clusters start while the server does (each takes 10-20 s).
  const clusters = Promise.all([up({ name: direct, nodes: 2 }), up({ name: viaAgent, nodes: 1 })]);
  server = await startTestServer(kubeconfig);
  [directKube, agentKube] = await clusters;
  admin = await ApiClient.asAdmin(server.url);
  await joinDirect(admin, kubeconfig, direct, directKube.kubeconfig);
  directJoinedAt = Date.now();
  try {
    agent = await joinByAgent(admin, server, viaAgent, agentKube.kubeconfig);
  } catch (err) {
    agentJoinError = err;
  }
  for (const name of [nobody, viewer]) {
    expect((await admin.post('/api/v1/users', { metadata: { name }, spec: { password } })).status).toBe(201);
  }
  expect(
    (
      await admin.post('/api/v1/roletemplatebindings', {
        metadata: { name: viewer },
        spec: {
          subject: { kind: 'User', name: viewer },
          roleTemplate: 'cluster-viewer',
          scope: { level: 'cluster', name: direct },
        },
      })
    ).status,
  ).toBe(201);
  await kubectl(directKube, ['create', 'namespace', ns]);
  // The status controller runs on the leader: an earlier file's server may still hold the lease for a moment.
  await eventually('this server leads', async () => server.isLeader() || undefined, 30_000);
});

afterAll(async () => {
  await agent?.close();
  for (const [plural, name] of [
    ['roletemplatebindings', viewer],
    ['users', viewer],
    ['users', nobody],
    ['clusters', direct],
    ['clusters', viaAgent],
  ])
    await admin?.del(`/api/v1/${plural}/${name}`);
  await kubectl(management, [
    'delete',
    'secret',
    `kc-${direct}`,
    '-n',
    'shipyard-system',
    '--ignore-not-found',
  ]);
  await server?.close();
  for (const c of [directKube, agentKube]) if (c) await down(c.name);
});

describe('cluster status', () => {
  it('fills in version, nodes and the sums of their capacity for a directly joined cluster', async () => {
    const { c, ms } = await statusUntil(
      direct,
      'status with 2 ready nodes',
      (x) => x.status?.nodes?.ready === 2 && condition(x, 'Ready')?.status === 'True',
      30_000,
    );
    console.log(`direct cluster: status filled in within ${Date.now() - directJoinedAt - ms} ms of joining`);
    expect(c.status?.kubernetesVersion).toBe('v1.34.4');
    expect(c.status?.nodes).toEqual({ total: 2, ready: 2 });
    // The nodes' own figures, as their apiserver has them: the sum is what each says, twice.
    const nodes = JSON.parse(await kubectl(directKube!, ['get', 'nodes', '-o', 'json'])) as {
      items: { status: { capacity: Record<string, string>; allocatable: Record<string, string> } }[];
    };
    expect(nodes.items).toHaveLength(2);
    for (const n of nodes.items) {
      expect(n.status.capacity).toMatchObject(defaultNodeShape);
      expect(n.status.allocatable).toMatchObject(defaultNodeShape);
    }
    expect(c.status?.capacity).toMatchObject({ cpu: '64', memory: '512Gi', pods: '220' });
    expect(c.status?.allocatable).toMatchObject({ cpu: '64', memory: '512Gi', pods: '220' });
    expect(condition(c, 'Ready')).toMatchObject({ reason: 'Reachable' });
    expect(condition(c, 'Connected')).toMatchObject({ status: 'True', reason: 'Reachable' });
    expect(c.status?.agent).toBeUndefined();
  });

  it('fills in the status of a cluster joined by its agent, with the agent connected', async () => {
    if (agentJoinError) throw agentJoinError;
    const { c } = await statusUntil(
      viaAgent,
      'status with 1 ready node',
      (x) => x.status?.nodes?.ready === 1 && condition(x, 'Ready')?.status === 'True',
      30_000,
    );
    expect(c.status?.kubernetesVersion).toBe('v1.34.4');
    expect(c.status?.capacity).toMatchObject({ cpu: '32', memory: '256Gi', pods: '110' });
    expect(c.status?.agent?.connected).toBe(true);
    expect(Date.now() - Date.parse(c.status?.agent?.lastSeen ?? '')).toBeLessThan(60_000);
    expect(condition(c, 'Connected')).toMatchObject({ status: 'True', reason: 'AgentConnected' });
  });
});

describe('cluster detail lists', () => {
  it('pages, sorts and filters nodes, which come as Kubernetes has them', async () => {
    const first = await admin.get<List<KubeObject>>(
      `/api/v1/clusters/${direct}/nodes?sort=-metadata.name&pageSize=1`,
    );
    expect(first.status).toBe(200);
    expect(first.body.total).toBe(2);
    expect(first.body.items.map((n) => n.metadata.name)).toEqual([`${direct}-node-1`]);
    expect(first.body.items[0]).toMatchObject({ apiVersion: 'v1', kind: 'Node' });
    expect(first.body.items[0]?.metadata.managedFields).toBeUndefined();
    const second = await admin.get<List<KubeObject>>(
      `/api/v1/clusters/${direct}/nodes?sort=-metadata.name&pageSize=1&page=2`,
    );
    expect(second.body.items.map((n) => n.metadata.name)).toEqual([`${direct}-node-0`]);
    const one = await admin.get<List<KubeObject>>(
      `/api/v1/clusters/${direct}/nodes?filter=metadata.name=${direct}-node-0`,
    );
    expect(one.body.total).toBe(1);
    const labelled = await admin.get<List>(`/api/v1/clusters/${direct}/nodes?labelSelector=type%3Dkwok`);
    expect(labelled.body.total).toBe(2);
    const none = await admin.get<List>(`/api/v1/clusters/${direct}/nodes?labelSelector=type%3Dother`);
    expect(none.body).toMatchObject({ total: 0, items: [] });
    const bad = await admin.get<ErrorBody>(`/api/v1/clusters/${direct}/nodes?sort=..`);
    expect(bad.status).toBe(400);
    expect((await admin.get<ErrorBody>(`/api/v1/clusters/nope-${run}/nodes`)).status).toBe(404);
  });

  it('shows a new namespace within seconds', async () => {
    const fresh = `${ns}-new`;
    const t0 = Date.now();
    await kubectl(directKube!, ['create', 'namespace', fresh]);
    await eventually(
      'the new namespace is listed',
      async () => {
        const r = await admin.get<List<KubeObject>>(
          `/api/v1/clusters/${direct}/namespaces?filter=metadata.name=${fresh}`,
        );
        return r.status === 200 && r.body.total === 1 ? true : undefined;
      },
      5_000,
    );
    console.log(`a new namespace was listed ${Date.now() - t0} ms after kubectl created it`);
    const all = await admin.get<List<KubeObject>>(`/api/v1/clusters/${direct}/namespaces?filter=${ns}`);
    expect(all.body.items.map((n) => n.metadata.name).sort()).toEqual([ns, fresh]);
  });

  it('filters events by namespace and involved object', async () => {
    const now = new Date().toISOString();
    const event = (name: string, pod: string) => ({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace: ns },
      involvedObject: { kind: 'Pod', name: pod, namespace: ns },
      reason: 'Testing',
      message: `about ${pod}`,
      type: 'Normal',
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
      source: { component: 'status-test' },
    });
    await kubectl(
      directKube!,
      ['create', '-f', '-'],
      JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [event('e-web', 'web'), event('e-db', 'db')] }),
    );
    const web = await eventually(
      'the events are listed',
      async () => {
        const r = await admin.get<List<KubeObject>>(
          `/api/v1/clusters/${direct}/events?namespace=${ns}&involvedObject=Pod/web`,
        );
        return r.status === 200 && r.body.total > 0 ? r.body : undefined;
      },
      5_000,
    );
    expect(web.items.map((e) => e.metadata.name)).toEqual(['e-web']);
    expect(web.items[0]).toMatchObject({ kind: 'Event', involvedObject: { kind: 'Pod', name: 'web' } });
    const both = await admin.get<List<KubeObject>>(`/api/v1/clusters/${direct}/events?namespace=${ns}`);
    expect(both.body.items.map((e) => e.metadata.name).sort()).toEqual(['e-db', 'e-web']);
    const elsewhere = await admin.get<List>(
      `/api/v1/clusters/${direct}/events?namespace=default&involvedObject=Pod/web`,
    );
    expect(elsewhere.body.total).toBe(0);
    const bad = await admin.get<ErrorBody>(`/api/v1/clusters/${direct}/events?involvedObject=web`);
    expect(bad.status).toBe(400);
    expect(bad.body.field).toBe('involvedObject');
  });

  it('refuses (403, audited) a user who may not see the cluster, and serves a cluster-viewer', async () => {
    const stranger = await ApiClient.signedIn(server.url, nobody, password);
    const refused = await stranger.get<ErrorBody>(`/api/v1/clusters/${direct}/nodes`);
    expect(refused.status).toBe(403);
    expect(refused.body.reason).toBe('Forbidden');
    const audit = await admin.get<{ items: { verb: string; kind: string; cluster?: string }[] }>(
      `/api/v1/audit?user=${nobody}&outcome=403`,
    );
    expect(audit.body.items).toContainEqual(
      expect.objectContaining({ verb: 'list', kind: 'Node', cluster: direct }),
    );
    const viewing = await ApiClient.signedIn(server.url, viewer, password);
    const seen = await viewing.get<List>(`/api/v1/clusters/${direct}/nodes`);
    expect(seen.status).toBe(200);
    expect(seen.body.total).toBe(2);
    // The grant is on one cluster only.
    expect((await viewing.get(`/api/v1/clusters/${viaAgent}/namespaces`)).status).toBe(403);
  });
});

describe('when a cluster goes away', () => {
  it('reports an agent killed with SIGKILL within 30 s, and its return', async () => {
    if (agentJoinError || !agent) throw agentJoinError ?? new Error('no agent');
    // The agent cluster's lists work before it leaves.
    const before = await admin.get<List>(`/api/v1/clusters/${viaAgent}/nodes`);
    expect(before.status).toBe(200);
    expect(before.body.total).toBe(1);
    agent.agent.signal('SIGKILL');
    await agent.agent.exited;
    const gone = await statusUntil(
      viaAgent,
      'Ready False (AgentDisconnected)',
      (x) => condition(x, 'Ready')?.reason === 'AgentDisconnected',
      30_000,
    );
    console.log(`agent SIGKILLed: Ready=False AgentDisconnected after ${gone.ms} ms`);
    expect(condition(gone.c, 'Ready')?.status).toBe('False');
    expect(condition(gone.c, 'Connected')).toMatchObject({ status: 'False', reason: 'AgentDisconnected' });
    expect(gone.c.status?.agent?.connected).toBe(false);
    const refused = await admin.get<ErrorBody>(`/api/v1/clusters/${viaAgent}/nodes`);
    expect(refused.status).toBe(503);
    expect(refused.body.reason).toBe('AgentDisconnected');

    agent.start();
    const back = await statusUntil(
      viaAgent,
      'Ready True again',
      (x) => condition(x, 'Ready')?.status === 'True' && x.status?.agent?.connected === true,
      30_000,
    );
    console.log(`agent restarted: Ready=True again after ${back.ms} ms`);
    const after = await eventually(
      'the nodes are listed again',
      async () => {
        const r = await admin.get<List>(`/api/v1/clusters/${viaAgent}/nodes`);
        return r.status === 200 ? r.body : undefined;
      },
      15_000,
    );
    expect(after.total).toBe(1);
  });

  it('reports a directly joined cluster whose apiserver stopped as ClusterUnreachable', async () => {
    killApiserver(directKube!);
    const { c: status, ms } = await statusUntil(
      direct,
      'Ready False (ClusterUnreachable)',
      (x) => condition(x, 'Ready')?.reason === 'ClusterUnreachable',
      30_000,
    );
    console.log(`apiserver stopped: Ready=False ClusterUnreachable after ${ms} ms`);
    expect(condition(status, 'Ready')?.status).toBe('False');
    expect(condition(status, 'Ready')?.message).toMatch(/does not answer.*ECONNREFUSED/);
    expect(condition(status, 'Connected')).toMatchObject({ status: 'False', reason: 'ClusterUnreachable' });
    // The last known figures stay.
    expect(status.status?.nodes).toEqual({ total: 2, ready: 2 });
    const refused = await eventually(
      'the lists say why they cannot answer',
      async () => {
        const r = await admin.get<ErrorBody>(`/api/v1/clusters/${direct}/nodes`);
        return r.status === 503 ? r.body : undefined;
      },
      30_000,
    );
    expect(refused.reason).toBe('ClusterUnreachable');
  });
});
