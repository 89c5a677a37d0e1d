import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { testLogger, waitFor } from '../runtime/testing/fake-apiserver.js';
import { renewedAt, tunnelLabel, tunnelLeaseName } from './leases.js';
import { MemoryLeases } from './testing/memory-leases.js';
import type { TunnelHubEvents } from './tunnel-hub.js';
import { TunnelOwnership } from './tunnel-ownership.js';

/** A replica's hub as the ownership sees it: agents connect and leave; evict ends a session. */
class FakeTunnels extends EventEmitter<TunnelHubEvents> {
  readonly connected = new Set<string>();
  readonly evicted: string[] = [];
  has(cluster: string): boolean {
    return this.connected.has(cluster);
  }
  connect(cluster: string): void {
    this.connected.add(cluster);
    this.emit('connect', cluster, { replaced: false });
  }
  leave(cluster: string): void {
    this.connected.delete(cluster);
    this.emit('disconnect', cluster, 'the agent left');
  }
  evict(cluster: string): void {
    this.evicted.push(cluster);
    this.leave(cluster);
  }
}

const name = tunnelLeaseName('east');
const owners: TunnelOwnership[] = [];

function replica(leases: MemoryLeases, identity: string, renewMs = 60_000) {
  const tunnels = new FakeTunnels();
  const ownership = new TunnelOwnership({
    tunnels,
    leases,
    namespace: 'ns',
    identity,
    renewMs,
    logger: testLogger(),
  });
  ownership.start();
  owners.push(ownership);
  return { tunnels, ownership };
}

/** Replica A (renewing every `renewMs`) holds east's Lease: east's agent connected to it. */
async function aHolds(renewMs?: number) {
  const leases = new MemoryLeases();
  const a = replica(leases, 'replica-a', renewMs);
  a.tunnels.connect('east');
  await a.ownership.idle();
  return { leases, a };
}

/** East's agent connected to replica A, then a newer one to replica B, which took the Lease; A has not looked yet. */
async function bTookOver(renewMsOfA?: number) {
  const leases = new MemoryLeases();
  const a = replica(leases, 'replica-a', renewMsOfA);
  const b = replica(leases, 'replica-b');
  a.tunnels.connect('east');
  await a.ownership.idle();
  b.tunnels.connect('east');
  await b.ownership.idle();
  return { leases, a, b };
}

afterEach(async () => {
  await Promise.all(owners.splice(0).map((o) => o.stop()));
});

describe('TunnelOwnership', () => {
  it('holds the Lease while the agent is connected, renews it, and deletes it when the agent leaves', async () => {
    const { leases, a } = await aHolds(20);
    const first = leases.store.get(name);
    expect(first?.spec.holderIdentity).toBe('replica-a');
    expect(first?.metadata.labels).toEqual({ [tunnelLabel]: 'east' });
    const firstRenewal = renewedAt(first)?.getTime() ?? 0;
    await waitFor('a renewal', () => (renewedAt(leases.store.get(name))?.getTime() ?? 0) > firstRenewal);
    expect(leases.holder(name)).toBe('replica-a');

    a.tunnels.leave('east');
    await a.ownership.idle();
    expect(leases.store.has(name)).toBe(false);
  });

  it('lets a newer agent on another replica take over; the older replica ends its session and keeps off', async () => {
    const { leases, a, b } = await bTookOver();
    expect(leases.holder(name)).toBe('replica-b');

    // A's informer sees B's write.
    a.ownership.check('east', leases.store.get(name));
    await a.ownership.idle();
    expect(a.tunnels.evicted).toEqual(['east']);
    expect(leases.holder(name)).toBe('replica-b');
    expect(a.ownership.holding()).toEqual([]);
    expect(b.ownership.holding()).toEqual(['east']);
  });

  it('finds a takeover by its own renewal too, without the informer', async () => {
    const { leases, a } = await bTookOver(20);
    await waitFor('A ends its session', () => a.tunnels.evicted.length === 1);
    await a.ownership.idle();
    expect(leases.holder(name)).toBe('replica-b');
  });

  it('never deletes the new owner’s Lease when a replaced agent leaves before its replica noticed', async () => {
    const { leases, a, b } = await bTookOver();
    a.tunnels.leave('east'); // A still believes it holds the Lease: its delete is conditional and fails
    await a.ownership.idle();
    expect(leases.holder(name)).toBe('replica-b');
    // When B's agent leaves, B deletes it.
    b.tunnels.leave('east');
    await b.ownership.idle();
    expect(leases.store.has(name)).toBe(false);
  });

  it('takes no action on events of its own writes', async () => {
    const { leases, a } = await aHolds();
    const writes = leases.writes;
    a.ownership.check('east', leases.store.get(name));
    await a.ownership.idle();
    expect(leases.writes).toBe(writes);
  });

  it('recreates its Lease when someone deletes it while the agent is connected', async () => {
    const { leases, a } = await aHolds();
    leases.store.delete(name);
    a.ownership.check('east', undefined);
    await a.ownership.idle();
    expect(leases.holder(name)).toBe('replica-a');
    expect(a.tunnels.evicted).toEqual([]);
  });

  it('keeps the Lease when the agent reconnects to the same replica at once', async () => {
    const leases = new MemoryLeases();
    const a = replica(leases, 'replica-a');
    a.tunnels.connect('east');
    a.tunnels.leave('east');
    a.tunnels.connect('east');
    await a.ownership.idle();
    expect(leases.holder(name)).toBe('replica-a');
  });

  it('deletes every Lease it holds when stopped', async () => {
    const leases = new MemoryLeases();
    const a = replica(leases, 'replica-a');
    a.tunnels.connect('east');
    a.tunnels.connect('west');
    await a.ownership.idle();
    expect(leases.store.size).toBe(2);
    await a.ownership.stop();
    expect(leases.store.size).toBe(0);
  });
});
