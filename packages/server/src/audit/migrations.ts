import { sql } from 'drizzle-orm';
import type { AuditSql } from './schema.js';

/**
 * The audit schema, in order. A migration runs once, in a transaction, and is never edited after it
 * shipped: change the schema by appending one. Statements are idempotent so a half-known database
 * (created by hand, or by an older build without the version table) converges too.
 */
export const migrations: readonly (readonly string[])[] = [
  [
    `CREATE TABLE IF NOT EXISTS audit_events (
      id bigserial PRIMARY KEY,
      time timestamptz NOT NULL DEFAULT now(),
      "user" text NOT NULL,
      groups text[] NOT NULL DEFAULT '{}',
      source_ip text,
      user_agent text,
      verb text NOT NULL,
      kind text,
      name text,
      namespace text,
      cluster text,
      outcome integer,
      reason text,
      request_id text,
      changes jsonb
    )`,
    // Every filter is paired with time (and id, the tie-breaker) so that a filtered page reads
    // newest-first straight from one index.
    'CREATE INDEX IF NOT EXISTS audit_events_time_idx ON audit_events (time, id)',
    'CREATE INDEX IF NOT EXISTS audit_events_user_idx ON audit_events ("user", time, id)',
    'CREATE INDEX IF NOT EXISTS audit_events_kind_idx ON audit_events (kind, time, id)',
    'CREATE INDEX IF NOT EXISTS audit_events_verb_idx ON audit_events (verb, time, id)',
    'CREATE INDEX IF NOT EXISTS audit_events_cluster_idx ON audit_events (cluster, time, id)',
    'CREATE INDEX IF NOT EXISTS audit_events_outcome_idx ON audit_events (outcome, time, id)',
  ],
];

/** Any constant; serializes migrations of replicas that open the same PostgreSQL at once. */
const migrationLock = 0x5_a0d17;

/** Brings the schema up to date; returns the schema version. Safe to run concurrently from many replicas. */
export async function migrate(db: AuditSql): Promise<number> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`SELECT pg_advisory_xact_lock(${migrationLock})`);
    await tx.execute(
      sql`CREATE TABLE IF NOT EXISTS audit_schema_version (
        version integer PRIMARY KEY,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`,
    );
    const [row] = await tx
      .select({ version: sql<number>`coalesce(max(version), 0)`.mapWith(Number) })
      .from(sql`audit_schema_version`);
    const current = row?.version ?? 0;
    for (const [index, statements] of migrations.entries()) {
      const version = index + 1;
      if (version <= current) continue;
      for (const statement of statements) await tx.execute(sql.raw(statement));
      await tx.execute(sql`INSERT INTO audit_schema_version (version) VALUES (${version})`);
    }
    return Math.max(current, migrations.length);
  });
}
