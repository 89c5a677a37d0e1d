/**
 * The leader keeps each tenant's quota ledger true to its partitions: a reservation whose partition never
 * appeared (the server crashed between the two writes, or a rollback failed) is dropped after the grace
 * period; a partition missing from the ledger (written with kubectl, or before the ledger existed) is added;
 * a resize that was never settled is set to what the partition has. It also keeps status.clusters (quota
 * and allocated sums) in step with the spec. Writes go through the same optimistic read-modify-write as
 * admission, so the repair never undoes a reservation made meanwhile.
 */
import { randomUUID } from 'node:crypto';
import type { Partition } from '@shipyard/api';
import type { ControllerDeps } from '../controllers/access.controller.js';
import type { ControllerHandle } from '../runtime/controller.js';
import { startPlatformController } from '../controllers/platform-controller.js';
import {
  applyRepair,
  ledgerOf,
  partitionView,
  planRepair,
  reservationGraceMs,
  sameStatus,
  statusWith,
  type PartitionView,
} from './ledger.js';
import { updateLedgerIfAny } from './ledger-writer.js';

export function startLedgerController(deps: ControllerDeps): ControllerHandle {
  const { cache } = deps;
  return startPlatformController(deps, {
    name: 'tenant-ledger',
    informers: [
      { informer: cache.informer('Tenant') },
      {
        informer: cache.informer('Partition'),
        keys: (p, old) =>
          new Set([p, old].map((x) => (x as Partition | undefined)?.spec.tenant ?? '').filter(Boolean)),
      },
    ],
    // A partition written around the API while this replica was not watching is found at the next resync.
    resyncEveryMs: 5 * 60_000,
    reconcile: (name) => repair(deps, name),
  });
}

/** The partition as the apiserver has it now, as this tenant's ledger would hold it; undefined if not there. */
async function liveOf(
  deps: ControllerDeps,
  name: string,
  tenant: string,
): Promise<PartitionView | undefined> {
  const live = await deps.objects.find('Partition', name);
  const view = live && partitionView(live);
  return !view || view.terminating || view.tenant !== tenant ? undefined : view;
}

async function repair(deps: ControllerDeps, name: string): Promise<{ requeueAfter: number } | void> {
  const tenant = deps.cache.get('Tenant', name);
  if (!tenant) return;
  const partitions = deps.cache
    .list('Partition')
    .filter((p) => p.spec.tenant === name)
    .map(partitionView);
  const ledger = ledgerOf(tenant);
  const plan = planRepair({ ledger, partitions, now: Date.now(), graceMs: reservationGraceMs });
  const recheck = plan.recheckInMs === undefined ? undefined : { requeueAfter: plan.recheckInMs + 500 };
  // Every reservation written by admission comes back here as a Tenant event: most need nothing.
  const idle = plan.add.length + plan.drop.length + plan.fix.length === 0;
  if (idle && sameStatus(tenant.status, statusWith(tenant, ledger))) return recheck;
  // The cache may be a moment behind: add and drop only what the apiserver confirms.
  const add = (await Promise.all(plan.add.map((p) => liveOf(deps, p.name, name)))).filter(
    (p): p is PartitionView => p !== undefined,
  );
  const gone = await Promise.all(plan.drop.map(async (d) => !(await liveOf(deps, d.name, name))));
  const drop = plan.drop.filter((_, i) => gone[i]);
  if (add.length + drop.length + plan.fix.length > 0) {
    deps.logger.info(
      {
        tenant: name,
        added: add.map((p) => p.name),
        dropped: drop.map((d) => d.name),
        fixed: plan.fix.map((f) => f.to.name),
      },
      'repairing the quota ledger',
    );
  }
  const stamp = () => ({ id: randomUUID(), at: new Date().toISOString() });
  await updateLedgerIfAny(deps.objects, name, (t) =>
    applyRepair(ledgerOf(t), { add, fix: plan.fix, drop }, stamp),
  );
  return recheck;
}
