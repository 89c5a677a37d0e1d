import { bigserial, integer, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';

/**
 * One row per audited request: every mutating API request and every denied request.
 * The DDL (columns and indexes) lives in migrations.ts; this is the query-side description of the
 * same table, and a test checks that both agree.
 */
export const auditEvents = pgTable('audit_events', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  time: timestamp('time', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  user: text('user').notNull(),
  groups: text('groups').array().notNull().default([]),
  sourceIp: text('source_ip'),
  userAgent: text('user_agent'),
  verb: text('verb').notNull(),
  kind: text('kind'),
  name: text('name'),
  namespace: text('namespace'),
  cluster: text('cluster'),
  /** HTTP status of the outcome; null while the request is still running (see AuditStore.begin). */
  outcome: integer('outcome'),
  reason: text('reason'),
  requestId: text('request_id'),
  /** Changed field paths of an update (see changes.ts); never values. */
  changes: jsonb('changes').$type<string[]>(),
});

export const auditSchema = { auditEvents };

/** A stored audit record, as queries return it. */
export type AuditRecord = typeof auditEvents.$inferSelect;

/** The drizzle database both backends (PGlite, node-postgres) are used through: one code path. */
export type AuditSql = PgDatabase<PgQueryResultHKT, typeof auditSchema>;
