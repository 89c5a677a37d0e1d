/** The coordination.k8s.io/v1 Lease as JSON, and the MicroTime format its times need. */
import { V1MicroTime } from '@kubernetes/client-node';
import { isRecord } from './kube-errors.js';

export interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
  [field: string]: unknown;
}
export interface Lease {
  apiVersion: string;
  kind: string;
  metadata: Record<string, unknown> & { name: string; namespace: string; resourceVersion?: string };
  spec: LeaseSpec;
}

/** MicroTime: the apiserver rejects Lease times without 6 fractional digits (400). */
export function microTime(d: Date): string {
  return new V1MicroTime(d.getTime()).toISOString();
}

export function toLease(x: unknown): Lease | undefined {
  if (!isRecord(x) || !isRecord(x.metadata) || typeof x.metadata.name !== 'string') return undefined;
  const metadata = { ...x.metadata, name: x.metadata.name, namespace: String(x.metadata.namespace ?? '') };
  const rv = x.metadata.resourceVersion;
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { ...metadata, resourceVersion: typeof rv === 'string' ? rv : undefined },
    spec: isRecord(x.spec) ? { ...x.spec } : {},
  };
}

export function newLease(opts: {
  name: string;
  namespace: string;
  holder: string;
  durationMs: number;
  now: Date;
}): Lease {
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name: opts.name, namespace: opts.namespace },
    spec: {
      holderIdentity: opts.holder,
      leaseDurationSeconds: Math.ceil(opts.durationMs / 1000),
      acquireTime: microTime(opts.now),
      renewTime: microTime(opts.now),
      leaseTransitions: 0,
    },
  };
}
