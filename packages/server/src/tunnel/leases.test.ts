import { describe, expect, it } from 'vitest';
import { microTime, type Lease } from '../runtime/lease.js';
import { freshOwner, peerUrlAnnotation, peerUrlOf, replicaLeaseName, tunnelLeaseName } from './leases.js';

function lease(spec: Lease['spec'], annotations?: Record<string, string>): Lease {
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name: 'x', namespace: 'ns', annotations },
    spec,
  };
}

const now = new Date('2026-01-01T00:00:30Z');

describe('tunnel and replica Leases', () => {
  it('names replicas by a hash of any identity, and tunnels by cluster', () => {
    const name = replicaLeaseName('host.example.com-1a2b/ä weird identity');
    expect(name).toMatch(/^shipyard-replica-[0-9a-f]{16}$/);
    expect(replicaLeaseName('a')).not.toBe(replicaLeaseName('b'));
    expect(tunnelLeaseName('east')).toBe('shipyard-tunnel-east');
  });

  it('names a holder only while the Lease was renewed within the window', () => {
    const at = (iso: string) => lease({ holderIdentity: 'r1', renewTime: microTime(new Date(iso)) });
    expect(freshOwner(at('2026-01-01T00:00:20Z'), now)).toEqual({
      identity: 'r1',
      renewed: new Date('2026-01-01T00:00:20Z'),
    });
    expect(freshOwner(at('2026-01-01T00:00:15Z'), now)?.identity).toBe('r1'); // exactly 15 s
    expect(freshOwner(at('2026-01-01T00:00:14.999Z'), now)).toBeUndefined();
    expect(freshOwner(at('2026-01-01T00:00:00Z'), now, 60_000)?.identity).toBe('r1');
  });

  it('names no holder for a Lease without one, without a renewal, or with a malformed time', () => {
    expect(freshOwner(undefined, now)).toBeUndefined();
    expect(freshOwner(lease({ renewTime: microTime(now) }), now)).toBeUndefined();
    expect(freshOwner(lease({ holderIdentity: '', renewTime: microTime(now) }), now)).toBeUndefined();
    expect(freshOwner(lease({ holderIdentity: 'r1' }), now)).toBeUndefined();
    expect(freshOwner(lease({ holderIdentity: 'r1', renewTime: 'yesterday' }), now)).toBeUndefined();
  });

  it('reads the peer URL from its annotation', () => {
    expect(peerUrlOf(lease({}, { [peerUrlAnnotation]: 'https://10.0.0.7:8443' }))).toBe(
      'https://10.0.0.7:8443',
    );
    expect(peerUrlOf(lease({}, {}))).toBeUndefined();
    expect(peerUrlOf(lease({}))).toBeUndefined();
  });
});
