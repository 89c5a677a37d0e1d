import { and, count, desc, eq, inArray, isNull, lt, sql } from 'drizzle-orm';
import { auditWhere, parseAuditQuery, type AuditQuery } from './audit.query.js';
import type { AuditDb } from './db.js';
import { AuditError, rootMessage } from './errors.js';
import { auditEvents, type AuditRecord } from './schema.js';

/** Kubernetes verbs, the platform's own, or one derived from the HTTP method. */
export type AuditVerb =
  'create' | 'update' | 'patch' | 'delete' | 'deletecollection' | 'login' | 'logout' | (string & {});

/** Who did what to which object: the part of a record known before the request runs. */
export interface AuditEntry {
  /** When the request arrived; default: the database's clock. */
  time?: Date;
  user: string;
  groups?: readonly string[];
  sourceIp?: string;
  userAgent?: string;
  verb: AuditVerb;
  kind?: string;
  name?: string;
  namespace?: string;
  cluster?: string;
  requestId?: string;
}

/** How the request ended. */
export interface AuditResult {
  /** The HTTP status answered. */
  outcome: number;
  reason?: string;
  /** Changed field paths (changedFields); never values. */
  changes?: readonly string[];
}

export interface AuditPage {
  /** Newest first. */
  items: AuditRecord[];
  /** Records matching the filters, on all pages. */
  total: number;
}

export interface RetentionOptions {
  /** Records older than this many days are deleted. */
  days: number;
  /** Default: hourly. The first prune runs at once. */
  intervalMs?: number;
  onPrune?: (deleted: number) => void;
  /** Default: a process warning. */
  onError?: (err: unknown) => void;
}

const dayMs = 86_400_000;
/** Rows deleted per statement while pruning: short transactions, no long lock on a shared database. */
const pruneBatch = 10_000;

function checkOutcome(outcome: number): void {
  if (!Number.isInteger(outcome) || outcome < 100 || outcome > 599) {
    throw new AuditError(`audit outcome must be an HTTP status (100-599), got ${outcome}`);
  }
}

function entryValues(entry: AuditEntry) {
  return {
    time: entry.time,
    user: entry.user,
    groups: [...(entry.groups ?? [])],
    sourceIp: entry.sourceIp ?? null,
    userAgent: entry.userAgent ?? null,
    verb: entry.verb,
    kind: entry.kind ?? null,
    name: entry.name ?? null,
    namespace: entry.namespace ?? null,
    cluster: entry.cluster ?? null,
    requestId: entry.requestId ?? null,
  };
}

function resultValues(result: AuditResult) {
  checkOutcome(result.outcome);
  return {
    outcome: result.outcome,
    reason: result.reason ?? null,
    changes: result.changes === undefined ? null : [...result.changes],
  };
}

/** The audit log: written before and after every mutation, and for every denied request. */
export class AuditStore {
  constructor(private readonly db: AuditDb) {}

  /** Writes a pending record BEFORE a mutation runs. If this throws, refuse the request (503). */
  async begin(entry: AuditEntry): Promise<number> {
    return this.insert(entryValues(entry));
  }

  /** Records how a begun request ended. Throws if the record is unknown or already completed. */
  async complete(id: number, result: AuditResult): Promise<void> {
    const values = resultValues(result);
    const updated = await this.guard('write', () =>
      this.db.sql
        .update(auditEvents)
        .set(values)
        .where(and(eq(auditEvents.id, id), isNull(auditEvents.outcome)))
        .returning({ id: auditEvents.id }),
    );
    if (updated.length === 0) {
      throw new AuditError(`audit record ${id} is not pending (unknown, pruned or already completed)`);
    }
  }

  /** A one-shot record: denied requests, logins, logouts. */
  async record(entry: AuditEntry & AuditResult): Promise<number> {
    return this.insert({ ...entryValues(entry), ...resultValues(entry) });
  }

  /** One page of records matching the filters, newest first, with the total. Throws AuditQueryError. */
  async query(query: AuditQuery = {}): Promise<AuditPage> {
    const parsed = parseAuditQuery(query);
    const where = auditWhere(parsed);
    const [items, totals] = await this.guard('read', () =>
      Promise.all([
        this.db.sql
          .select()
          .from(auditEvents)
          .where(where)
          .orderBy(desc(auditEvents.time), desc(auditEvents.id))
          .limit(parsed.pageSize)
          .offset((parsed.page - 1) * parsed.pageSize),
        this.db.sql.select({ total: count() }).from(auditEvents).where(where),
      ]),
    );
    return { items, total: totals[0]?.total ?? 0 };
  }

  /** Deletes the records older than `retentionDays`, then vacuums; returns how many were deleted. */
  async prune(retentionDays: number): Promise<number> {
    if (!Number.isFinite(retentionDays) || retentionDays <= 0) {
      throw new AuditError(`audit retention must be a positive number of days, got ${retentionDays}`);
    }
    const cutoff = new Date(Date.now() - retentionDays * dayMs);
    let deleted = 0;
    for (;;) {
      const old = this.db.sql
        .select({ id: auditEvents.id })
        .from(auditEvents)
        .where(lt(auditEvents.time, cutoff))
        .limit(pruneBatch);
      const rows = await this.guard('prune', () =>
        this.db.sql.delete(auditEvents).where(inArray(auditEvents.id, old)).returning({ id: auditEvents.id }),
      );
      deleted += rows.length;
      if (rows.length < pruneBatch) break;
    }
    // Embedded PGlite runs no autovacuum: reclaim the space, and keep the statistics and the visibility map
    // fresh (index-only counts of a filter are 3x slower without it). Cheap on PostgreSQL, which does it too.
    await this.guard('vacuum', () => this.db.sql.execute(sql`VACUUM (ANALYZE) audit_events`));
    return deleted;
  }

  /** Prunes now and then every `intervalMs` (timers unref'd). Returns stop, which awaits a running prune. */
  startRetention(options: RetentionOptions): () => Promise<void> {
    const { days, intervalMs = 3_600_000 } = options;
    if (!Number.isFinite(days) || days <= 0) {
      throw new AuditError(`audit retention must be a positive number of days, got ${days}`);
    }
    if (!Number.isFinite(intervalMs) || intervalMs <= 0) {
      throw new AuditError(`audit retention interval must be a positive number of ms, got ${intervalMs}`);
    }
    const onError =
      options.onError ?? ((err: unknown) => process.emitWarning(`audit retention: ${rootMessage(err)}`));
    let stopped = false;
    let running: Promise<void> | undefined;
    let timer: NodeJS.Timeout | undefined;
    const schedule = (ms: number): void => {
      timer = setTimeout(run, ms);
      timer.unref();
    };
    const run = (): void => {
      running = this.prune(days)
        .then((deleted) => options.onPrune?.(deleted))
        .catch(onError)
        .finally(() => {
          running = undefined;
          if (!stopped) schedule(intervalMs);
        });
    };
    schedule(0);
    return async () => {
      stopped = true;
      clearTimeout(timer);
      await running;
    };
  }

  private async insert(values: typeof auditEvents.$inferInsert): Promise<number> {
    const rows = await this.guard('write', () =>
      this.db.sql.insert(auditEvents).values(values).returning({ id: auditEvents.id }),
    );
    const id = rows[0]?.id;
    if (id === undefined) throw new AuditError('the audit log returned no id for a new record');
    return id;
  }

  /** Runs statements; a database failure becomes an AuditError (the caller answers 503). */
  private async guard<T>(
    action: 'read' | 'write' | 'prune' | 'vacuum',
    statements: () => Promise<T>,
  ): Promise<T> {
    try {
      return await statements();
    } catch (err) {
      throw new AuditError(`cannot ${action} the audit log: ${rootMessage(err)}`, { cause: err });
    }
  }
}
