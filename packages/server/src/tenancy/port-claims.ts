/**
 * The L4 port ranges of one cluster's tenants, held in one ConfigMap `shipyard-ports.<cluster>` in the
 * platform's namespace, written with compare-and-swap: two tenants asking for overlapping ranges on one
 * cluster get exactly one winner, whatever replicas take the requests (the cache alone, which tenant-spec.ts
 * checks first, could not promise that). Each entry is `<tenant>: {"range": "20000-21000", "at": <ISO>}`.
 *
 * A tenant's new range is claimed before its write (a tenant holds one range per cluster, so a range moved on
 * a cluster replaces the old at once); a range dropped with its cluster stays held until the write succeeds
 * (commit); a failed write takes the new claims back (rollback); a deleted tenant gives all of its up. An
 * entry whose tenant does not hold that range (a crash between claim and write) is a leftover: once older
 * than the reservation grace it is ignored and overwritten.
 */
import type { Tenant } from '@shipyard/api';
import type { PlatformCache } from '../cache/platform-cache.js';
import { conflict } from '../http/errors.js';
import { fromKube } from '../kube/errors.js';
import { fieldPath } from '../http/field-path.js';
import type { Management } from '../kube/management.js';
import { isKubeStatus as isStatus } from '../runtime/kube-errors.js';
import { kubeRequest } from '../runtime/kube-request.js';
import { quotasOf, reservationGraceMs } from './ledger.js';
import { overlaps, parsePortRange, type PortRange } from './port-range.js';

type Entry = { range: string; at: string };
type Sheet = { metadata: { name: string; resourceVersion?: string }; data?: Record<string, string> };

export const portSheetName = (cluster: string) => `shipyard-ports.${cluster}`;
const label = { 'shipyard.dev/claim': 'ports' };
const maxAttempts = 10;

const rangeOf = (text: string | undefined): PortRange | undefined => {
  const r = text === undefined ? undefined : parsePortRange(text);
  return typeof r === 'object' ? r : undefined;
};
const entryOf = (json: string | undefined): Entry | undefined => {
  try {
    const e = JSON.parse(json ?? '') as Partial<Entry>;
    return typeof e.range === 'string' ? { range: e.range, at: e.at ?? '' } : undefined;
  } catch {
    return undefined;
  }
};

/** The L4 range a tenant's spec gives it on each cluster. */
export const rangesOf = (t: Pick<Tenant, 'spec'> | undefined): Map<string, string> =>
  new Map(
    quotasOf(t ?? { spec: { clusters: [] } }).flatMap((q) =>
      q.loadBalancer?.l4PortRange ? [[q.cluster, q.loadBalancer.l4PortRange] as const] : [],
    ),
  );

export class PortClaims {
  constructor(
    private readonly m: Management,
    /** The range the server knows `tenant` to hold on `cluster` (its stored spec). */
    private readonly storedRange: (tenant: string, cluster: string) => string | undefined,
  ) {}

  private path(name?: string): string {
    return `/api/v1/namespaces/${this.m.namespace}/configmaps${name ? `/${name}` : ''}`;
  }

  /** Changes one cluster's sheet with compare-and-swap; `change` returns the new data, or undefined for none. */
  private async update(
    cluster: string,
    change: (data: Record<string, string>) => Record<string, string> | undefined,
  ): Promise<void> {
    const name = portSheetName(cluster);
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      let sheet: Sheet | undefined;
      try {
        sheet = (await kubeRequest(this.m.kc, { path: this.path(name) })) as Sheet;
      } catch (err) {
        if (!isStatus(err, 404)) throw fromKube(err, `port claims of cluster ${cluster}`);
      }
      const data = change({ ...(sheet?.data ?? {}) });
      if (!data) return;
      try {
        await kubeRequest(this.m.kc, {
          method: sheet ? 'PUT' : 'POST',
          path: this.path(sheet ? name : undefined),
          body: {
            apiVersion: 'v1',
            kind: 'ConfigMap',
            metadata: { name, labels: label, resourceVersion: sheet?.metadata.resourceVersion },
            data,
          },
        });
        return;
      } catch (err) {
        // Someone wrote the sheet since we read it (409), or made it first: read again.
        if (!isStatus(err, 409)) throw fromKube(err, `port claims of cluster ${cluster}`);
      }
    }
    throw conflict(`the port claims of cluster ${cluster} are busy: try again`);
  }

  /** Whether an entry still holds its range: its tenant has it, or it is young enough to be a write in flight. */
  private holds(tenant: string, cluster: string, e: Entry): boolean {
    if (this.storedRange(tenant, cluster) === e.range) return true;
    return Date.now() - (Date.parse(e.at) || 0) < reservationGraceMs;
  }

  /**
   * Claims `range` for `tenant` on `cluster`, or throws 409 naming the tenant whose range it overlaps.
   * `index` is the cluster's place in the tenant's spec, for the error's field.
   */
  async claim(tenant: string, cluster: string, range: string, index: number): Promise<void> {
    const mine = rangeOf(range);
    if (!mine) return;
    await this.update(cluster, (data) => {
      for (const [other, json] of Object.entries(data)) {
        if (other === tenant) continue;
        const e = entryOf(json);
        const theirs = rangeOf(e?.range);
        if (e && theirs && overlaps(theirs, mine) && this.holds(other, cluster, e)) {
          throw conflict(
            `l4PortRange ${range} overlaps tenant ${other}'s ${e.range} on cluster ${cluster}`,
            fieldPath(['spec', 'clusters', index, 'loadBalancer', 'l4PortRange']),
          );
        }
      }
      if (entryOf(data[tenant])?.range === range) return undefined;
      return { ...data, [tenant]: JSON.stringify({ range, at: new Date().toISOString() }) };
    });
  }

  /** Gives up the tenant's claim on `cluster` if it is still `range` (or any, without one). */
  async release(tenant: string, cluster: string, range?: string): Promise<void> {
    await this.update(cluster, (data) => {
      const e = entryOf(data[tenant]);
      if (data[tenant] === undefined || (range !== undefined && e?.range !== range)) return undefined;
      const { [tenant]: _gone, ...rest } = data;
      return rest;
    });
  }
}

export const portClaimsOf = (deps: { cache: PlatformCache }) =>
  new PortClaims(deps.cache.m, (tenant, cluster) => rangesOf(deps.cache.get('Tenant', tenant)).get(cluster));

/**
 * For a tenant's write: claims the ranges it gains before the write; gives up those it drops once written,
 * and the gained ones again if the write fails.
 */
export async function claimPorts(
  deps: { cache: PlatformCache },
  obj: Pick<Tenant, 'spec' | 'metadata'>,
  old: Pick<Tenant, 'spec'> | undefined,
): Promise<{ commit?: () => Promise<void>; rollback?: () => Promise<void> }> {
  const claims = portClaimsOf(deps);
  const tenant = obj.metadata.name;
  const want = rangesOf(obj);
  const had = rangesOf(old);
  const clusters = quotasOf(obj).map((q) => q.cluster);
  const gained: [string, string][] = [];
  try {
    for (const [cluster, range] of want) {
      if (had.get(cluster) === range) continue;
      await claims.claim(tenant, cluster, range, clusters.indexOf(cluster));
      gained.push([cluster, range]);
    }
  } catch (err) {
    for (const [cluster, range] of gained) await claims.release(tenant, cluster, range);
    throw err;
  }
  const dropped = [...had].filter(([cluster, range]) => want.get(cluster) !== range);
  return {
    commit: dropped.length
      ? async () => {
          for (const [cluster, range] of dropped) {
            // A range kept for a new one on the same cluster was overwritten by its claim already.
            if (!want.has(cluster)) await claims.release(tenant, cluster, range);
          }
        }
      : undefined,
    rollback: gained.length
      ? async () => {
          for (const [cluster, range] of gained) {
            const before = had.get(cluster);
            if (before) await claims.claim(tenant, cluster, before, clusters.indexOf(cluster));
            else await claims.release(tenant, cluster, range);
          }
        }
      : undefined,
  };
}

/** A deleted tenant's ranges, on every cluster it had one. */
export async function releasePorts(deps: { cache: PlatformCache }, t: Pick<Tenant, 'spec' | 'metadata'>) {
  const claims = portClaimsOf(deps);
  for (const cluster of rangesOf(t).keys()) await claims.release(t.metadata.name, cluster);
}
