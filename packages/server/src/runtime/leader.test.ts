// Leader election against a scripted Lease endpoint with real optimistic concurrency, on short timings.
// Each elector talks through its own fake server so one of them can be cut off from "the apiserver".
import { KubeConfig } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { LeaderElector, type LeaderElectionOptions } from './leader.js';
import { FakeApiServer, sendJson, status, testLogger, waitFor } from './testing/fake-apiserver.js';

type Lease = {
  metadata: { name: string; namespace: string; resourceVersion: string };
  spec: Record<string, unknown>;
};

/** One Lease with resourceVersion checks, as etcd and the apiserver do them. */
class LeaseStore {
  lease: Lease | undefined;
  private rv = 1;
  writes: Array<{ holder: unknown; renewTime: unknown }> = [];

  handle(server: FakeApiServer, cut: () => boolean): void {
    server.handler = (req, res) => {
      if (cut()) return res.destroy();
      const body: unknown = req.body ? JSON.parse(req.body) : undefined;
      if (req.method === 'GET') {
        return this.lease
          ? sendJson(res, 200, this.lease)
          : sendJson(res, 404, status(404, 'NotFound', 'no lease'));
      }
      const incoming = body as Lease;
      if (req.method === 'POST' && this.lease)
        return sendJson(res, 409, status(409, 'AlreadyExists', 'exists'));
      if (
        req.method === 'PUT' &&
        incoming.metadata.resourceVersion !== this.lease?.metadata.resourceVersion
      ) {
        return sendJson(res, 409, status(409, 'Conflict', 'the object has been modified'));
      }
      this.lease = { ...incoming, metadata: { ...incoming.metadata, resourceVersion: String(++this.rv) } };
      this.writes.push({ holder: incoming.spec.holderIdentity, renewTime: incoming.spec.renewTime });
      sendJson(res, req.method === 'POST' ? 201 : 200, this.lease);
    };
  }
}

const timings = { leaseDurationMs: 1_000, renewDeadlineMs: 700, renewPeriodMs: 150, retryPeriodMs: 150 };
const servers: FakeApiServer[] = [];
const electors: LeaderElector[] = [];

type Log = Array<{ at: number; who: string; what: 'start' | 'stop' }>;
type Candidate = { elector: LeaderElector; cut: { on: boolean } };

async function candidate(
  store: LeaseStore,
  identity: string,
  log: Log,
  extra: Partial<LeaderElectionOptions> = {},
): Promise<Candidate> {
  const server = new FakeApiServer();
  await server.start();
  servers.push(server);
  const cut = { on: false };
  store.handle(server, () => cut.on);
  const elector = new LeaderElector({
    kubeConfig: server.kubeConfig(),
    cluster: 'fake',
    namespace: 'ns',
    name: 'lock',
    identity,
    logger: testLogger(),
    ...timings,
    onStartedLeading: () => void log.push({ at: performance.now(), who: identity, what: 'start' }),
    onStoppedLeading: () => void log.push({ at: performance.now(), who: identity, what: 'stop' }),
    ...extra,
  });
  electors.push(elector);
  return { elector, cut };
}

/** a leads, and b has been a candidate beside it for 300 ms (long enough to have seen a's Lease). */
async function aLeadsBWaits(): Promise<{ store: LeaseStore; log: Log; a: Candidate; b: Candidate }> {
  const store = new LeaseStore();
  const log: Log = [];
  const a = await candidate(store, 'a', log);
  a.elector.start();
  await waitFor('a leads', () => a.elector.isLeader);
  const b = await candidate(store, 'b', log);
  b.elector.start();
  await new Promise((r) => setTimeout(r, 300));
  return { store, log, a, b };
}

/** Never two leaders at once: every start follows the previous leader's stop. */
function expectNoOverlap(log: Log): void {
  let current: string | undefined;
  for (const e of log) {
    if (e.what === 'start') {
      expect(current, `${e.who} started while ${current} led`).toBeUndefined();
      current = e.who;
    } else if (e.who === current) {
      current = undefined;
    }
  }
}

afterEach(async () => {
  for (const e of electors.splice(0)) await e.stop();
  for (const s of servers.splice(0)) await s.close();
});

describe('LeaderElector', () => {
  it('elects exactly one of three and writes MicroTime with 6 fractional digits', async () => {
    const store = new LeaseStore();
    const log: Log = [];
    const cs = await Promise.all(['a', 'b', 'c'].map((id) => candidate(store, id, log)));
    for (const c of cs) c.elector.start();
    await waitFor('a leader', () => cs.some((c) => c.elector.isLeader));
    await new Promise((r) => setTimeout(r, 1_500));
    expect(cs.filter((c) => c.elector.isLeader)).toHaveLength(1);
    expect(log.filter((e) => e.what === 'start')).toHaveLength(1);
    expect(String(store.lease?.spec.renewTime)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    const leader = cs.find((c) => c.elector.isLeader)?.elector.identity;
    for (const c of cs) expect(c.elector.leader).toBe(leader);
  });

  it('a leader cut off from the apiserver steps down before another takes over', async () => {
    const { log, a, b } = await aLeadsBWaits();
    const cutAt = performance.now();
    a.cut.on = true;
    await waitFor('b leads', () => b.elector.isLeader, 5_000);
    const aStop = log.find((e) => e.who === 'a' && e.what === 'stop');
    const bStart = log.find((e) => e.who === 'b' && e.what === 'start');
    expect(aStop).toBeDefined();
    expect(aStop?.at).toBeLessThan(bStart?.at ?? 0);
    // a steps down within its renew deadline; b waits out the lease duration after its last observation.
    expect((aStop?.at ?? 0) - cutAt).toBeLessThan(timings.renewDeadlineMs + 100);
    expect((bStart?.at ?? 0) - cutAt).toBeGreaterThan(timings.leaseDurationMs - timings.renewPeriodMs - 50);
    expectNoOverlap(log);
  });

  it('stop() releases the lease so that another leads within a retry period', async () => {
    const { store, log, a, b } = await aLeadsBWaits();
    const t0 = performance.now();
    await a.elector.stop();
    await waitFor('b leads', () => b.elector.isLeader, 5_000);
    expect(performance.now() - t0).toBeLessThan(timings.retryPeriodMs * 1.2 + 450);
    expect(store.lease?.spec.leaseTransitions).toBe(1); // created by a (0), released, acquired by b (1)
    expectNoOverlap(log);
  });

  it('stop({release: false}) leaves the lease to expire, as a killed process would', async () => {
    const { a, b } = await aLeadsBWaits();
    const t0 = performance.now();
    await a.elector.stop({ release: false });
    await waitFor('b leads', () => b.elector.isLeader, 5_000);
    const took = performance.now() - t0;
    expect(took).toBeGreaterThan(timings.leaseDurationMs - timings.renewPeriodMs - 50);
    expect(took).toBeLessThan(timings.leaseDurationMs + timings.retryPeriodMs * 1.2 + 800);
  });

  it('refuses timings that could let two replicas lead', () => {
    const opts = {
      kubeConfig: new KubeConfig(),
      cluster: 'c',
      namespace: 'n',
      name: 'l',
      onStartedLeading: () => undefined,
      onStoppedLeading: () => undefined,
    };
    expect(() => new LeaderElector({ ...opts, leaseDurationMs: 5_000, renewDeadlineMs: 5_000 })).toThrow(
      /renewDeadlineMs/,
    );
  });
});
