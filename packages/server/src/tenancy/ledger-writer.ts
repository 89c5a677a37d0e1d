/**
 * Read-modify-write of a tenant's ledger (status.reservations and the per-cluster sums that go with it), with
 * optimistic concurrency on the Tenant in the management cluster. This is what makes admission race-safe
 * across replicas: two writers that read the same resourceVersion cannot both write, and the loser re-reads
 * and decides again on what the winner wrote. Other status fields (conditions, `used`) are carried over.
 */
import { kinds, type Tenant } from '@shipyard/api';
import { ApiError, conflict } from '../http/errors.js';
import type { PlatformObjects } from '../kube/management.js';
import { sameStatus, statusWith, type Ledger } from './ledger.js';

/** Enough for a burst of writers on one tenant to each get its turn (one of them wins every round). */
const maxAttempts = 40;

const isStatus = (err: unknown, status: number) => err instanceof ApiError && err.status === status;

/** Jittered, growing pause before re-reading: writers that lost together do not come back together. */
const pause = (attempt: number) =>
  new Promise((r) => setTimeout(r, Math.random() * 5 * 2 ** Math.min(attempt, 6)));

export async function readTenant(objects: PlatformObjects, name: string): Promise<Tenant> {
  return (await objects.get(kinds.Tenant, name)) as unknown as Tenant;
}

/**
 * Reads the Tenant, asks `change` for its next ledger (undefined: leave it; throw an ApiError to refuse), and
 * writes the status if it differs, with the resourceVersion read. On 409 it starts over: `change` runs again
 * on the fresh Tenant, so it must be a function of what it is given. Resolves with the Tenant as it now is;
 * a missing Tenant rejects with the 404 ApiError.
 */
export async function updateLedger(
  objects: PlatformObjects,
  tenant: string,
  change: (t: Tenant) => Ledger | undefined,
): Promise<Tenant> {
  for (let attempt = 1; ; attempt++) {
    const t = await readTenant(objects, tenant);
    const ledger = change(t);
    if (!ledger) return t;
    const status = statusWith(t, ledger);
    if (sameStatus(t.status, status)) return t;
    try {
      const written = await objects.replaceStatus(kinds.Tenant, tenant, { ...t, status });
      return written as unknown as Tenant;
    } catch (err) {
      if (!isStatus(err, 409)) throw err;
      if (attempt >= maxAttempts) {
        throw conflict(`the quota ledger of tenant ${tenant} is busy (${attempt} attempts): try again`);
      }
    }
    await pause(attempt);
  }
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
