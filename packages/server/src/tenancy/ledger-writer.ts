/**
 * Read-modify-write of a tenant's ledger (status.reservations and the per-cluster sums that go with it), with
 * optimistic concurrency on the Tenant in the management cluster. This is what makes admission race-safe
 * across replicas: two writers that read the same resourceVersion cannot both write, and the loser re-reads
 * and decides again on what the winner wrote. Other status fields (conditions, `used`) are carried over.
 */
import type { Tenant } from '@shipyard/api';
import { ApiError, conflict, notFound } from '../http/errors.js';
import type { PlatformObjects } from '../kube/management.js';
import { sameStatus, statusWith, type Ledger } from './ledger.js';

/** Enough for a burst of writers on one tenant to each get its turn (one of them wins every round). */
const maxAttempts = 40;

const isStatus = (err: unknown, status: number) => err instanceof ApiError && err.status === status;

/**
 * Reads the Tenant, asks `change` for its next ledger (undefined: leave it; throw an ApiError to refuse), and
 * writes the status if it differs, with the resourceVersion read (PlatformObjects.updateStatus). On 409 it
 * starts over: `change` runs again on the fresh Tenant, so it must be a function of what it is given. Resolves
 * with the Tenant as it now is; a missing Tenant rejects with a 404 ApiError.
 */
export async function updateLedger(
  objects: PlatformObjects,
  tenant: string,
  change: (t: Tenant) => Ledger | undefined,
): Promise<Tenant> {
  const written = await objects.updateStatus(
    'Tenant',
    tenant,
    (status, t) => {
      const ledger = change(t);
      if (!ledger) return undefined;
      const next = statusWith(t, ledger);
      return sameStatus(status, next) ? undefined : next;
    },
    {
      attempts: maxAttempts,
      exhausted: () =>
        conflict(`the quota ledger of tenant ${tenant} is busy (${maxAttempts} attempts): try again`),
    },
  );
  if (!written) throw notFound(`Tenant ${tenant} not found`);
  return written;
}

/** Like updateLedger, but a Tenant that is gone is nothing to change (releases after it was deleted). */
export async function updateLedgerIfAny(
  objects: PlatformObjects,
  tenant: string,
  change: (t: Tenant) => Ledger | undefined,
): Promise<Tenant | undefined> {
  try {
    return await updateLedger(objects, tenant, change);
  } catch (err) {
    if (isStatus(err, 404)) return undefined;
    throw err;
  }
}
