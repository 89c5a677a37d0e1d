/**
 * A namespace of a cluster is held for one partition by a claim: a ConfigMap `shipyard-ns.<cluster>.<namespace>`
 * in the platform's namespace, made with a create, which the apiserver lets only one writer win. So two
 * partitions never get one namespace, whatever their tenants and whichever replicas take the requests (the
 * ledger already settles this within one tenant; the cache alone could not across tenants).
 *
 * A claim is held while its partition is being deleted (its namespace is still in the cluster, terminating)
 * and given up once the partition is gone: by the delete itself when nothing holds the partition, by the
 * partition controller when it takes its finalizer off.
 *
 * A claim whose partition does not exist is a leftover (a crash between claim and write, a release that
 * failed): once older than the reservation grace it is taken over, so nothing is held for ever.
 */
import type { Partition } from '@shipyard/api';
import type { PlatformCache } from '../cache/platform-cache.js';
import { conflict } from '../http/errors.js';
import { fromKube } from '../kube/errors.js';
import type { Management } from '../kube/management.js';
import { isKubeStatus as isStatus } from '../runtime/kube-errors.js';
import { kubeRequest } from '../runtime/kube-request.js';
import { namespaceOf, reservationGraceMs } from './ledger.js';

type Claim = {
  metadata: { name: string; uid: string; creationTimestamp?: string };
  data?: { partition?: string; tenant?: string };
};
export type ClaimAsk = { cluster: string; namespace: string; partition: string; tenant: string };

export const claimName = (cluster: string, namespace: string) => `shipyard-ns.${cluster}.${namespace}`;

export class NamespaceClaims {
  constructor(
    private readonly m: Management,
    /** Whether the partition exists (as far as the server knows): a claim of one that does not may be taken. */
    private readonly partitionExists: (name: string) => boolean,
  ) {}

  private path(name?: string): string {
    return `/api/v1/namespaces/${this.m.namespace}/configmaps${name ? `/${name}` : ''}`;
  }

  private async read(name: string): Promise<Claim | undefined> {
    try {
      return (await kubeRequest(this.m.kc, { path: this.path(name) })) as Claim;
    } catch (err) {
      if (isStatus(err, 404)) return undefined;
      throw fromKube(err, `claim ${name}`);
    }
  }

  private async remove(claim: Claim): Promise<void> {
    await kubeRequest(this.m.kc, {
      method: 'DELETE',
      path: this.path(claim.metadata.name),
      body: { apiVersion: 'v1', kind: 'DeleteOptions', preconditions: { uid: claim.metadata.uid } },
    }).catch((err: unknown) => {
      // Gone already, or replaced since it was read (409): either way not ours to remove.
      if (!isStatus(err, 404) && !isStatus(err, 409)) throw fromKube(err, `claim ${claim.metadata.name}`);
    });
  }

  /** Claims the namespace for the partition (its own claim counts as made); 409 naming the holder otherwise. */
  async claim(ask: ClaimAsk): Promise<void> {
    const name = claimName(ask.cluster, ask.namespace);
    for (let attempt = 1; attempt <= 3; attempt++) {
      try {
        await kubeRequest(this.m.kc, {
          method: 'POST',
          path: this.path(),
          body: {
            apiVersion: 'v1',
            kind: 'ConfigMap',
            metadata: { name, labels: { 'shipyard.dev/claim': 'namespace' } },
            data: { partition: ask.partition, tenant: ask.tenant },
          },
        });
        return;
      } catch (err) {
        if (!isStatus(err, 409)) throw fromKube(err, `claim ${name}`);
      }
      const held = await this.read(name);
      if (!held) continue; // released meanwhile: try again
      const holder = held.data?.partition ?? '';
      if (holder === ask.partition) return;
      const age = Date.now() - (Date.parse(held.metadata.creationTimestamp ?? '') || Date.now());
      if (this.partitionExists(holder) || age < reservationGraceMs) {
        throw conflict(
          `namespace ${ask.namespace} on cluster ${ask.cluster} is already used by partition ${holder}`,
          'spec.namespace',
        );
      }
      await this.remove(held); // a leftover: take it over
    }
    throw conflict(
      `namespace ${ask.namespace} on cluster ${ask.cluster} is being claimed: try again`,
      'spec.namespace',
    );
  }

  /** Gives the namespace up, if this partition holds it. */
  async release(ask: Omit<ClaimAsk, 'tenant'>): Promise<void> {
    const held = await this.read(claimName(ask.cluster, ask.namespace));
    if (held?.data?.partition === ask.partition) await this.remove(held);
  }
}

/** The claims as the server makes them: a partition exists if the cache has it. */
export const claimsOf = (deps: { cache: PlatformCache }) =>
  new NamespaceClaims(deps.cache.m, (name) => deps.cache.get('Partition', name) !== undefined);

/** Gives up the namespace a partition held, once it is gone. */
export const releaseClaim = (deps: { cache: PlatformCache }, p: Partition) =>
  claimsOf(deps).release({ cluster: p.spec.cluster, namespace: namespaceOf(p), partition: p.metadata.name });

/**
 * After a partition's delete: gives up its namespace if the delete removed it outright. One with finalizers
 * is terminating and keeps its namespace until the controller lets it go (and calls releaseClaim).
 */
export const releaseClaimIfGone = async (deps: { cache: PlatformCache }, p: Partition) => {
  if (!p.metadata.finalizers?.length) await releaseClaim(deps, p);
};
