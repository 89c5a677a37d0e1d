import type { KindName, PlatformObject } from '@shipyard/api';
import type { PlatformCache } from './platform-cache.js';
import { sortItems } from './query.js';

const maxEntries = 64;

/**
 * Each kind's objects sorted by each requested order, kept until the kind changes: a page of a list
 * then costs a filter pass, not a sort of everything.
 */
export class SortedLists {
  private readonly memo = new Map<string, { generation: number; items: readonly unknown[] }>();

  constructor(private readonly cache: PlatformCache) {}

  get<N extends KindName>(kind: N, sort = ''): readonly PlatformObject<N>[] {
    const key = `${kind}\0${sort}`;
    const generation = this.cache.generation(kind);
    const hit = this.memo.get(key);
    if (hit && hit.generation === generation) return hit.items as readonly PlatformObject<N>[];
    const items = sortItems(this.cache.list(kind), sort);
    this.memo.delete(key);
    this.memo.set(key, { generation, items });
    if (this.memo.size > maxEntries) {
      const oldest = this.memo.keys().next().value;
      if (oldest !== undefined) this.memo.delete(oldest);
    }
    return items;
  }
}
