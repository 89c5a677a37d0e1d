import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { microTime, type Lease } from '../runtime/lease.js';
import type { AgentStatus } from './dialer.js';
import type { LeaseView } from './lease-directory.js';
import { peerUrlAnnotation } from './leases.js';
import { isTunnelError } from './tunnel-errors.js';
import { TunnelRouter, type RelayDial } from './tunnel-router.js';

const now = new Date('2026-01-01T00:01:00Z');
const ago = (s: number) => new Date(now.getTime() - s * 1000);

function lease(holder: string, renewed: Date, annotations?: Record<string, string>): Lease {
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name: 'x', namespace: 'ns', annotations },
    spec: { holderIdentity: holder, renewTime: microTime(renewed) },
  };
}

function setup(opts: { local?: AgentStatus; tunnel?: Lease; replicas?: Record<string, string> }) {
  const dialed: string[] = [];
  const relayed: { peerUrl: string; cluster: string }[] = [];
  const hub = {
    has: () => opts.local?.connected ?? false,
    agentStatus: (): AgentStatus => opts.local ?? { connected: false },
    dial: async (cluster: string) => {
      dialed.push(cluster);
      return new PassThrough();
    },
  };
  const leases: LeaseView = {
    tunnel: () => opts.tunnel,
    replica: (identity) => {
      const url = opts.replicas?.[identity];
      return url ? lease(identity, ago(1), { [peerUrlAnnotation]: url }) : undefined;
    },
  };
  const relay: RelayDial = async (peerUrl, cluster) => {
    relayed.push({ peerUrl, cluster });
    return new PassThrough();
  };
  const router = new TunnelRouter({ hub, leases, identity: 'me', relay, now: () => now });
  return { router, dialed, relayed };
}

async function notConnected(p: Promise<unknown>): Promise<string> {
  const err: unknown = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isTunnelError(err, 'NotConnected')) throw new Error(`expected NotConnected, got ${String(err)}`);
  return err.message;
}

describe('TunnelRouter', () => {
  it('dials the local hub when the agent is connected here, whatever the Lease says', async () => {
    const t = setup({
      local: { connected: true, lastSeen: ago(2) },
      tunnel: lease('other', ago(1)),
      replicas: { other: 'https://10.0.0.2:8443' },
    });
    expect(t.router.route('east')).toEqual({ via: 'local' });
    await t.router.dial('east');
    expect(t.dialed).toEqual(['east']);
    expect(t.relayed).toEqual([]);
  });

  it('relays to the peer URL of the replica whose tunnel Lease is fresh', async () => {
    const t = setup({ tunnel: lease('other', ago(10)), replicas: { other: 'https://10.0.0.2:8443' } });
    await t.router.dial('east');
    expect(t.relayed).toEqual([{ peerUrl: 'https://10.0.0.2:8443', cluster: 'east' }]);
    expect(t.dialed).toEqual([]);
  });

  it('fails at once with NotConnected when no replica holds a fresh Lease', async () => {
    expect(await notConnected(setup({}).router.dial('east'))).toMatch(/no agent of cluster east/);
    const stale = setup({ tunnel: lease('other', ago(16)), replicas: { other: 'https://10.0.0.2:8443' } });
    await notConnected(stale.router.dial('east'));
    expect(stale.relayed).toEqual([]);
  });

  it('never relays to itself: its own Lease without a local session is stale', async () => {
    const t = setup({ tunnel: lease('me', ago(1)), replicas: { me: 'https://10.0.0.1:8443' } });
    await notConnected(t.router.dial('east'));
    expect(t.relayed).toEqual([]);
  });

  it('fails with NotConnected when the holder is missing from the registry', async () => {
    const t = setup({ tunnel: lease('gone', ago(1)), replicas: {} });
    expect(await notConnected(t.router.dial('east'))).toMatch(/not in the registry/);
  });

  it('reports an agent connected to another replica, last seen at its Lease renewal', () => {
    const t = setup({ tunnel: lease('other', ago(3)) });
    expect(t.router.agentStatus('east')).toEqual({ connected: true, lastSeen: ago(3) });
  });

  it('takes the later of the local and the Lease times as lastSeen', () => {
    const local = setup({ local: { connected: true, lastSeen: ago(1) }, tunnel: lease('me', ago(4)) });
    expect(local.router.agentStatus('east')).toEqual({ connected: true, lastSeen: ago(1) });
    const left = setup({ local: { connected: false, lastSeen: ago(40) }, tunnel: lease('other', ago(20)) });
    expect(left.router.agentStatus('east')).toEqual({ connected: false, lastSeen: ago(20) });
    expect(setup({}).router.agentStatus('east')).toEqual({ connected: false, lastSeen: undefined });
  });
});
