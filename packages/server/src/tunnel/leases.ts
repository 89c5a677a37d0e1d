/**
 * The Leases through which replicas find each other (`shipyard-replica-<hash>`, with the replica's peer URL)
 * and the owner of each agent's tunnel (`shipyard-tunnel-<cluster>`, held by the replica the agent is
 * connected to), all in the server's namespace of the management cluster. Names, labels, and what a Lease
 * says; the writes are in replica-registry.ts and tunnel-ownership.ts.
 */
import { createHash } from 'node:crypto';
import type { Lease } from '../runtime/lease.js';

/** On every replica Lease; its value is the hash in the name. */
export const replicaLabel = 'shipyard.dev/replica';
/** On every tunnel Lease; its value is the cluster (a DNS label, so always a valid label value). */
export const tunnelLabel = 'shipyard.dev/tunnel';
/** The replica's HTTPS URL, where the others open relays to the tunnels it holds. */
export const peerUrlAnnotation = 'shipyard.dev/peer-url';

/** A tunnel Lease counts while renewed within this long: its holder renews every 5 s, so two renewals may fail. */
export const tunnelFreshMs = 15_000;

/** Identities are free text (host name + random); a hash makes any of them a valid object name. */
export function replicaLeaseName(identity: string): string {
  return `shipyard-replica-${identityHash(identity)}`;
}

export function identityHash(identity: string): string {
  return createHash('sha256').update(identity).digest('hex').slice(0, 16);
}

export function tunnelLeaseName(cluster: string): string {
  return `shipyard-tunnel-${cluster}`;
}

/** When the Lease was last renewed, if it says. */
export function renewedAt(lease: Lease | undefined): Date | undefined {
  const t = lease?.spec.renewTime;
  if (typeof t !== 'string') return undefined;
  const d = new Date(t);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

export type LeaseOwner = { identity: string; renewed: Date };

/**
 * Who holds the Lease, if it was renewed within `freshMs` of `now`. Renewal times are the holder's clock
 * compared with ours: replicas of one platform are assumed to keep their clocks within a few seconds.
 */
export function freshOwner(
  lease: Lease | undefined,
  now: Date,
  freshMs = tunnelFreshMs,
): LeaseOwner | undefined {
  const identity = lease?.spec.holderIdentity;
  const renewed = renewedAt(lease);
  if (!identity || !renewed) return undefined;
  return now.getTime() - renewed.getTime() <= freshMs ? { identity, renewed } : undefined;
}

export function peerUrlOf(lease: Lease | undefined): string | undefined {
  const annotations = lease?.metadata.annotations;
  if (typeof annotations !== 'object' || annotations === null) return undefined;
  const url = (annotations as Record<string, unknown>)[peerUrlAnnotation];
  return typeof url === 'string' && url !== '' ? url : undefined;
}

/**
 * The writes of Leases that the registry and the tunnel ownership need; LeaseClient does them against the
 * management cluster, unit tests against a map.
 */
export interface LeaseApi {
  get(name: string): Promise<Lease | undefined>;
  /** Creates or overwrites, whoever holds it (server-side apply, forced). */
  apply(lease: Lease): Promise<Lease>;
  /** Writes only if `lease.metadata.resourceVersion` is still current. */
  update(lease: Lease): Promise<Lease | 'conflict' | 'gone'>;
  /** Deletes only if the resourceVersion is still `resourceVersion`. */
  remove(name: string, resourceVersion: string): Promise<'deleted' | 'conflict' | 'gone'>;
}
