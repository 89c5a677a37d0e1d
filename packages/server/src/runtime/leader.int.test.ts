// Leader election on a real Lease with the production timings (lease 10 s, renew 2 s, retry 2 s).
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { sleep } from './backoff.js';
import { kubeRequest } from './kube-request.js';
import { LeaderElector } from './leader.js';
import { createNamespace, deleteNamespace, eventually, loadKubeConfig } from './testing/cluster.js';
import { testLogger } from './testing/fake-apiserver.js';
import { TcpProxy } from './testing/tcp-proxy.js';
import type { KubeConfig } from '@kubernetes/client-node';

const kc = loadKubeConfig(inject('kubeconfig'));
const cluster = inject('clusterName');
const ns = `rt-leader-${process.pid}`;
const electors: LeaderElector[] = [];
const proxies: TcpProxy[] = [];

type Log = Array<{ at: number; who: string; what: 'start' | 'stop' }>;

function elector(name: string, identity: string, log: Log, kubeConfig: KubeConfig = kc): LeaderElector {
  const e = new LeaderElector({
    kubeConfig,
    cluster,
    namespace: ns,
    name,
    identity,
    logger: testLogger(),
    onStartedLeading: () => void log.push({ at: performance.now(), who: identity, what: 'start' }),
    onStoppedLeading: () => void log.push({ at: performance.now(), who: identity, what: 'stop' }),
  });
  electors.push(e);
  return e;
}

async function lease(name: string): Promise<{ spec: { holderIdentity?: string; renewTime?: string } }> {
  return (await kubeRequest(kc, {
    path: `/apis/coordination.k8s.io/v1/namespaces/${ns}/leases/${name}`,
  })) as {
    spec: { holderIdentity?: string; renewTime?: string };
  };
}

function leaders(): LeaderElector[] {
  return electors.filter((e) => e.isLeader);
}

beforeAll(async () => {
  await createNamespace(kc, ns);
});
afterEach(async () => {
  for (const e of electors.splice(0)) await e.stop();
  for (const p of proxies.splice(0)) await p.close();
});
afterAll(async () => {
  await deleteNamespace(kc, ns);
});

describe('leader election on a real Lease', () => {
  it('of two, exactly one leads; when the leader dies without releasing, the other leads within 15 s', async () => {
    const log: Log = [];
    const a = elector('lock-kill', 'replica-a', log);
    const b = elector('lock-kill', 'replica-b', log);
    a.start();
    b.start();
    const first = await eventually('a leader', () => leaders()[0], 10_000);
    await sleep(4_000); // two renewals later: still one
    expect(leaders()).toEqual([first]);
    const l = await lease('lock-kill');
    expect(l.spec.holderIdentity).toBe(first.identity);
    expect(l.spec.renewTime).toMatch(/\.\d{6}Z$/); // MicroTime, accepted by the apiserver
    const other = first === a ? b : a;
    expect(other.leader).toBe(first.identity);

    const killedAt = performance.now();
    await first.stop({ release: false }); // a crash: the lease stays until it expires
    await eventually('takeover', () => other.isLeader, 20_000);
    const failoverMs = performance.now() - killedAt;
    expect(failoverMs).toBeLessThan(15_000);
    expect(failoverMs).toBeGreaterThan(7_000); // the lease was honoured, not stolen
    console.log(`failover after a crash: ${Math.round(failoverMs)} ms`);
  });

  it('a clean stop releases the lease and hands over within a retry period', async () => {
    const log: Log = [];
    const a = elector('lock-release', 'replica-a', log);
    a.start();
    await eventually('a leads', () => a.isLeader, 10_000);
    const b = elector('lock-release', 'replica-b', log);
    b.start();
    await sleep(1_000);
    const stoppedAt = performance.now();
    await a.stop();
    await eventually('b leads', () => b.isLeader, 10_000);
    const handoverMs = performance.now() - stoppedAt;
    expect(handoverMs).toBeLessThan(3_500);
    expect(log.map((e) => `${e.who} ${e.what}`)).toEqual([
      'replica-a start',
      'replica-a stop',
      'replica-b start',
    ]);
    console.log(`handover after a clean stop: ${Math.round(handoverMs)} ms`);
  });

  it('a leader cut off from the apiserver steps down before the other takes over', async () => {
    const log: Log = [];
    const { proxy, kubeConfig } = await TcpProxy.for(kc);
    proxies.push(proxy);
    const a = elector('lock-cut', 'replica-a', log, kubeConfig);
    a.start();
    await eventually('a leads', () => a.isLeader, 10_000);
    const b = elector('lock-cut', 'replica-b', log);
    b.start();
    await sleep(2_500);
    const cutAt = performance.now();
    proxy.set('refuse');
    await eventually('b leads', () => b.isLeader, 20_000);
    const aStop = log.find((e) => e.who === 'replica-a' && e.what === 'stop')?.at ?? Infinity;
    const bStart = log.find((e) => e.who === 'replica-b' && e.what === 'start')?.at ?? 0;
    expect(aStop).toBeLessThan(bStart);
    expect(aStop - cutAt).toBeLessThan(7_500); // renew deadline 7 s
    expect(bStart - cutAt).toBeLessThan(15_000);
    console.log(
      `cut off: a stepped down after ${Math.round(aStop - cutAt)} ms, b led after ${Math.round(bStart - cutAt)} ms`,
    );
  });
});
