import { isDeepStrictEqual } from 'node:util';
import { KubeConfig } from '@kubernetes/client-node';
import { apiVersion, kinds, type KindDef, type KindName, type PlatformObject } from '@shipyard/api';
import { ApiError } from '../http/errors.js';
import { fromKube } from './errors.js';
import { setCondition, type Condition, type ConditionInput } from '../runtime/conditions.js';
import { retryOnConflict, type ConflictRetryOptions } from '../runtime/conflict-retry.js';
import { kubeRequest, listAll } from '../runtime/kube-request.js';

/** The management cluster: where platform state lives (CRDs) and the server keeps its Secrets and Lease. */
export type Management = { kc: KubeConfig; namespace: string; cluster: 'management' };

export function management(opts: { kubeconfig?: string; namespace: string }): Management {
  const kc = new KubeConfig();
  if (opts.kubeconfig) kc.loadFromFile(opts.kubeconfig);
  else kc.loadFromDefault();
  return { kc, namespace: opts.namespace, cluster: 'management' };
}

export function kindPath(d: KindDef, name?: string, sub?: 'status'): string {
  const base = `/apis/${apiVersion}/${d.plural}`;
  if (!name) return base;
  return `${base}/${encodeURIComponent(name)}${sub ? `/${sub}` : ''}`;
}

export type Stored = { metadata: { name: string; resourceVersion?: string } } & Record<string, unknown>;

/** A kind by name (typed answers) or by its definition (generic code: routes, CRDs). */
type KindRef = KindName | KindDef;
type StatusOf<N extends KindName> = NonNullable<PlatformObject<N>['status']>;

/** Options of the read-modify-write helpers. */
export type UpdateOptions<N extends KindName> = ConflictRetryOptions & {
  /** Start from this object (e.g. the cache's) instead of reading it: a 409 reads the latest then. */
  from?: PlatformObject<N>;
  /** What to throw when the attempts are used up (default: the last 409). */
  exhausted?: () => Error;
};

/** An error `mutate` threw: thrown as it is, never retried (a 409 of its own is a refusal, not a race). */
class MutateError extends Error {
  constructor(readonly error: unknown) {
    super('mutate failed');
  }
}

function mutating<A extends unknown[], R>(mutate: (...args: A) => R): (...args: A) => R {
  return (...args) => {
    try {
      return mutate(...args);
    } catch (err) {
      throw new MutateError(err);
    }
  };
}

const defOf = (kind: KindRef): KindDef => (typeof kind === 'string' ? kinds[kind] : kind);
const isMissing = (err: unknown) => err instanceof ApiError && err.status === 404;
/** The same as JSON says it (key order, and absent vs undefined, aside). */
const sameJson = (a: unknown, b: unknown) =>
  isDeepStrictEqual(JSON.parse(JSON.stringify(a ?? {})), JSON.parse(JSON.stringify(b ?? {})));

/**
 * Platform objects in the management cluster: typed reads and writes by kind name, and the read-modify-write
 * helpers every controller uses (status, spec/metadata, finalizers, conditions), which retry on 409. Every
 * failure becomes an ApiError.
 */
export class PlatformObjects {
  constructor(private readonly m: Management) {}

  /** The server's own namespace in the management cluster (its Secrets, Leases). */
  get namespace(): string {
    return this.m.namespace;
  }

  private async send<T>(what: string, req: Parameters<typeof kubeRequest>[1]): Promise<T> {
    try {
      return (await kubeRequest(this.m.kc, { timeoutMs: 15_000, ...req })) as T;
    } catch (err) {
      throw fromKube(err, what);
    }
  }

  get<N extends KindName>(kind: N, name: string): Promise<PlatformObject<N>>;
  get(kind: KindDef, name: string): Promise<Stored>;
  get(kind: KindRef, name: string): Promise<unknown> {
    const d = defOf(kind);
    return this.send(`${d.kind} ${name}`, { path: kindPath(d, name) });
  }

  /** The object as the apiserver has it now, or undefined when there is none. */
  async find<N extends KindName>(kind: N, name: string): Promise<PlatformObject<N> | undefined> {
    try {
      return await this.get(kind, name);
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw err;
    }
  }

  /** Every object of the kind as the apiserver has it now (not a cache): for decisions a cache may not make. */
  list<N extends KindName>(kind: N): Promise<PlatformObject<N>[]>;
  list(kind: KindDef): Promise<Stored[]>;
  async list(kind: KindRef): Promise<unknown[]> {
    const d = defOf(kind);
    try {
      return (await listAll(this.m.kc, { path: kindPath(d), timeoutMs: 15_000 })).items;
    } catch (err) {
      throw fromKube(err, d.plural);
    }
  }

  create<N extends KindName>(kind: N, body: object): Promise<PlatformObject<N>>;
  create(kind: KindDef, body: object): Promise<Stored>;
  create(kind: KindRef, body: object): Promise<unknown> {
    const d = defOf(kind);
    const name = (body as Stored).metadata?.name ?? '';
    return this.send(`${d.kind} ${name}`, { method: 'POST', path: kindPath(d), body });
  }

  replace<N extends KindName>(kind: N, name: string, body: object): Promise<PlatformObject<N>>;
  replace(kind: KindDef, name: string, body: object): Promise<Stored>;
  replace(kind: KindRef, name: string, body: object): Promise<unknown> {
    const d = defOf(kind);
    return this.send(`${d.kind} ${name}`, { method: 'PUT', path: kindPath(d, name), body });
  }

  replaceStatus<N extends KindName>(kind: N, name: string, body: object): Promise<PlatformObject<N>>;
  replaceStatus(kind: KindDef, name: string, body: object): Promise<Stored>;
  replaceStatus(kind: KindRef, name: string, body: object): Promise<unknown> {
    const d = defOf(kind);
    return this.send(`${d.kind} ${name} status`, { method: 'PUT', path: kindPath(d, name, 'status'), body });
  }

  /**
   * Read-modify-write of the status: reads the object (or starts from `from`), asks `mutate` for the next
   * status (undefined, or the same: nothing to write), and replaces the status subresource with the
   * resourceVersion read. On 409 it reads again and asks `mutate` again, so `mutate` must be a function of
   * what it is given; what `mutate` throws is thrown as it is (never retried). Resolves with the object as written (or as read when nothing changed); undefined when
   * the object does not exist. The last 409 is thrown when the attempts are used up.
   */
  updateStatus<N extends KindName>(
    kind: N,
    name: string,
    mutate: (status: StatusOf<N> | undefined, obj: PlatformObject<N>) => StatusOf<N> | undefined,
    opts: UpdateOptions<N> = {},
  ): Promise<PlatformObject<N> | undefined> {
    const next = mutating(mutate);
    return this.readModifyWrite(kind, name, opts, async (obj) => {
      const status = next(obj.status, obj);
      if (status === undefined || sameJson(status, obj.status)) return obj;
      return this.replaceStatus(kind, name, { ...obj, status });
    });
  }

  /**
   * Read-modify-write of the object (spec, metadata), as updateStatus: `mutate` gets the latest object and
   * returns the object to write (undefined: nothing), written with the resourceVersion read.
   */
  update<N extends KindName>(
    kind: N,
    name: string,
    mutate: (obj: PlatformObject<N>) => PlatformObject<N> | undefined,
    opts: UpdateOptions<N> = {},
  ): Promise<PlatformObject<N> | undefined> {
    const change = mutating(mutate);
    return this.readModifyWrite(kind, name, opts, async (obj) => {
      const next = change(obj);
      if (next === undefined || sameJson(next, obj)) return obj;
      return this.replace(kind, name, {
        ...next,
        metadata: { ...next.metadata, resourceVersion: obj.metadata.resourceVersion },
      });
    });
  }

  /**
   * Puts `finalizer` on the object (present) or takes it off. None is put on an object being deleted; a
   * missing object is nothing to do. `from` (e.g. the cached object) skips the write when it already agrees.
   */
  async setFinalizer<N extends KindName>(
    kind: N,
    name: string,
    opts: { finalizer: string; present: boolean; from?: PlatformObject<N> },
  ): Promise<void> {
    const { finalizer, present } = opts;
    const has = (o: PlatformObject<N>) => o.metadata.finalizers?.includes(finalizer) ?? false;
    if (opts.from && has(opts.from) === present) return;
    await this.update(kind, name, (o) => {
      if (has(o) === present || (present && o.metadata.deletionTimestamp)) return undefined;
      const rest = (o.metadata.finalizers ?? []).filter((f) => f !== finalizer);
      return { ...o, metadata: { ...o.metadata, finalizers: present ? [...rest, finalizer] : rest } };
    });
  }

  /**
   * Sets one condition of the object's status, keeping every other condition and field (other controllers
   * write them too). `from` (e.g. the cached object) skips the request when the condition is already so.
   */
  async setCondition<N extends KindName>(
    kind: N,
    name: string,
    condition: ConditionInput,
    opts: { from?: PlatformObject<N> } = {},
  ): Promise<void> {
    const conditionsOf = (s: StatusOf<N> | undefined) =>
      (s as { conditions?: Condition[] } | undefined)?.conditions;
    const prev = opts.from && conditionsOf(opts.from.status);
    if (opts.from && prev && setCondition(prev, condition, new Date()) === prev) return;
    await this.updateStatus(
      kind,
      name,
      (status) => {
        const conditions = conditionsOf(status);
        const next = setCondition(conditions, condition, new Date());
        return next === conditions ? undefined : ({ ...status, conditions: next } as StatusOf<N>);
      },
      opts,
    );
  }

  private async readModifyWrite<N extends KindName>(
    kind: N,
    name: string,
    opts: UpdateOptions<N>,
    write: (obj: PlatformObject<N>) => Promise<PlatformObject<N>>,
  ): Promise<PlatformObject<N> | undefined> {
    try {
      return await retryOnConflict(async (attempt) => {
        const obj = attempt === 1 && opts.from ? opts.from : await this.get(kind, name);
        return write(obj);
      }, opts);
    } catch (err) {
      if (err instanceof MutateError) throw err.error;
      if (isMissing(err)) return undefined;
      if (opts.exhausted && err instanceof ApiError && err.status === 409) throw opts.exhausted();
      throw err;
    }
  }

  mergePatchStatus(d: KindDef, name: string, status: object): Promise<Stored> {
    return this.send(`${d.kind} ${name} status`, {
      method: 'PATCH',
      path: kindPath(d, name, 'status'),
      body: { status },
      contentType: 'application/merge-patch+json',
    });
  }

  /** Deletes; with a resourceVersion, only the object as it was then (409 if it has changed since). */
  delete(kind: KindRef, name: string, precondition: { resourceVersion?: string } = {}): Promise<unknown> {
    const d = defOf(kind);
    const { resourceVersion } = precondition;
    const body = resourceVersion
      ? { apiVersion: 'v1', kind: 'DeleteOptions', preconditions: { resourceVersion } }
      : undefined;
    return this.send(`${d.kind} ${name}`, { method: 'DELETE', path: kindPath(d, name), body });
  }

  /** Server-side apply (fieldManager shipyard): create or converge an object we own. */
  apply(path: string, body: object, what: string): Promise<Stored> {
    return this.send(what, {
      method: 'PATCH',
      path,
      query: { fieldManager: 'shipyard', force: true },
      body,
      contentType: 'application/apply-patch+yaml',
    });
  }
}
