/**
 * Tenant admission: a valid quota and L4 range, never below what the ledger allocates, and no delete that
 * would leave partitions behind (unless the caller asks for cascade and may delete each of them). Checks of
 * the quota use the Tenant as just read from the apiserver, and the write carries its resourceVersion, so a
 * reservation made in between makes the write fail (409) instead of slipping under a shrunk quota.
 */
import { kinds, QuantityError } from '@shipyard/api';
import { ApiError, conflict, forbidden } from '../http/errors.js';
import type { KindHooks } from '../objects/kind-hooks.js';
import { mustExist } from '../objects/references.js';
import { checkShrink, ledgerOf, reservationGraceMs } from './ledger.js';
import { updateLedger } from './ledger-writer.js';
import { checkPortRanges, checkTenantSpec } from './tenant-spec.js';
import { releaseClaimIfGone } from './namespace-claim.js';
import { claimPorts, releasePorts } from './port-claims.js';
import { createTeams, removeTenantGrants } from './tenant-teams.js';

const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;

export const tenantHooks: KindHooks<'Tenant'> = {
  validate({ obj, old }, deps) {
    checkTenantSpec(obj);
    checkPortRanges({
      tenant: obj,
      cluster: (name) => deps.cache.get('Cluster', name),
      tenants: deps.cache.list('Tenant'),
    });
    if (!old) return;
    try {
      checkShrink(old, obj);
    } catch (err) {
      if (err instanceof QuantityError) throw conflict(`the stored ledger does not parse: ${err.message}`);
      throw err;
    }
  },

  /**
   * The L4 ranges the tenant gains are claimed across replicas (port-claims.ts); a new tenant comes with its
   * teams. If the tenant cannot be written, both are taken back.
   */
  async prepare({ op, obj, old }, deps) {
    // Every cluster it gains quota on exists (here, not in validate: one made a moment ago may not be cached).
    const had = new Set(old?.spec.clusters.map((c) => c.cluster));
    for (const [i, { cluster }] of obj.spec.clusters.entries()) {
      if (!had.has(cluster))
        await mustExist(deps, { kind: 'Cluster', name: cluster, field: `spec.clusters[${i}].cluster` });
    }
    const ports = await claimPorts(deps, obj, old);
    if (op !== 'create' || deps.cache.get('Tenant', obj.metadata.name)) return ports;
    let removeTeams: () => Promise<void>;
    try {
      removeTeams = await createTeams(deps, obj.metadata.name);
    } catch (err) {
      await ports.rollback?.();
      throw err;
    }
    return {
      commit: ports.commit,
      rollback: async () => {
        await removeTeams();
        await ports.rollback?.();
      },
    };
  },

  async afterDelete(obj, deps) {
    await removeTenantGrants(deps, obj.metadata.name);
    await releasePorts(deps, obj);
  },

  async beforeDelete({ caller, obj, cascade }, deps) {
    const name = obj.metadata.name;
    const ofTenant = async () =>
      (await deps.objects.list('Partition')).filter(
        (p) => p.spec.tenant === name && !p.metadata.deletionTimestamp,
      );
    const fresh = await deps.objects.get('Tenant', name);
    const ledger = ledgerOf(fresh);
    const partitions = await ofTenant();
    const names = new Set([...Object.keys(ledger), ...partitions.map((p) => p.metadata.name)]);
    if (names.size === 0) return { resourceVersion: fresh.metadata.resourceVersion };
    if (!cascade) {
      throw conflict(`tenant has ${plural(names.size, 'partition')}; delete them or ask for ?cascade=true`);
    }

    // A reservation without its partition yet is a create in flight: deleting the tenant under it would
    // leave that partition behind. Older ones are leftovers of a crash, and go with the tenant.
    const listed = new Set(partitions.map((p) => p.metadata.name));
    const now = Date.now();
    const creating = Object.entries(ledger)
      .filter(([n, r]) => !listed.has(n) && now - (Date.parse(r.at) || 0) < reservationGraceMs)
      .map(([n]) => n);
    if (creating.length > 0) {
      throw conflict(`partitions ${creating.join(', ')} of tenant ${name} are being created: try again`);
    }
    const denied = partitions.filter(
      (p) => !deps.access.can(caller.user, 'delete', 'partitions', 'Partition', p),
    );
    if (denied.length > 0) {
      const which = denied.map((p) => p.metadata.name).join(', ');
      throw forbidden(
        `${caller.user} may not delete partition ${which} of tenant "${name}"; nothing was deleted`,
      );
    }
    for (const p of partitions) {
      await deps.objects.delete(kinds.Partition, p.metadata.name).catch((err: unknown) => {
        if (!(err instanceof ApiError && err.status === 404)) throw err;
      });
      await releaseClaimIfGone(deps, p);
    }
    const after = await updateLedger(deps.objects, name, (t) => {
      const rest = Object.fromEntries(Object.entries(ledgerOf(t)).filter(([n]) => !names.has(n)));
      return Object.keys(rest).length === Object.keys(ledgerOf(t)).length ? undefined : rest;
    });
    const newcomers = [
      ...Object.keys(ledgerOf(after)),
      ...(await ofTenant()).map((p) => p.metadata.name).filter((n) => !names.has(n)),
    ];
    if (newcomers.length > 0) {
      throw conflict(
        `partitions ${[...new Set(newcomers)].join(', ')} were created meanwhile; tenant ${name} was kept`,
      );
    }
    return { resourceVersion: after.metadata.resourceVersion };
  },
};
