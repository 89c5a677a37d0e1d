/** LeaseApi over a map, with resourceVersions and their conflicts as the apiserver has them, for unit tests. */
import type { Lease } from '../../runtime/lease.js';
import type { LeaseApi } from '../leases.js';

export class MemoryLeases implements LeaseApi {
  readonly store = new Map<string, Lease>();
  /** Writes that changed the store (apply, update, remove). */
  writes = 0;
  private rv = 0;

  async get(name: string): Promise<Lease | undefined> {
    return copy(this.store.get(name));
  }

  async apply(lease: Lease): Promise<Lease> {
    return this.put(lease);
  }

  async update(lease: Lease): Promise<Lease | 'conflict' | 'gone'> {
    const current = this.store.get(lease.metadata.name);
    if (!current) return 'gone';
    if (current.metadata.resourceVersion !== lease.metadata.resourceVersion) return 'conflict';
    return this.put(lease);
  }

  async remove(name: string, resourceVersion: string): Promise<'deleted' | 'conflict' | 'gone'> {
    const current = this.store.get(name);
    if (!current) return 'gone';
    if (current.metadata.resourceVersion !== resourceVersion) return 'conflict';
    this.store.delete(name);
    this.writes++;
    return 'deleted';
  }

  holder(name: string): string | undefined {
    return this.store.get(name)?.spec.holderIdentity;
  }

  private put(lease: Lease): Lease {
    this.writes++;
    const stored = copy({ ...lease, metadata: { ...lease.metadata, resourceVersion: String(++this.rv) } });
    this.store.set(lease.metadata.name, stored);
    return copy(stored);
  }
}

function copy<T>(x: T): T {
  return x === undefined ? x : structuredClone(x);
}
