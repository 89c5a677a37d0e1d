import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { drizzle as drizzleNodePg } from 'drizzle-orm/node-postgres';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import pg from 'pg';
import { lockDataDir } from './data-dir-lock.js';
import { AuditError, rootMessage } from './errors.js';
import { migrate } from './migrations.js';
import { auditSchema, type AuditSql } from './schema.js';

/**
 * Where the audit log lives: an embedded PGlite data dir (the default, e.g. `<dataDir>/audit`), or a
 * PostgreSQL URL (SHIPYARD_DATABASE_URL, for HA: every replica writes to the same database).
 */
export type AuditDbOptions =
  | { dataDir: string }
  | {
      url: string;
      /** Errors of idle pooled connections (e.g. the server restarted); default: a process warning. */
      onError?: (err: Error) => void;
    };

export interface AuditDb {
  /** The drizzle database; the same query code runs on both backends. */
  readonly sql: AuditSql;
  readonly backend: 'pglite' | 'postgres';
  /** The schema version found or created on open. */
  readonly schemaVersion: number;
  /** Closes the database; safe to call twice. */
  close(): Promise<void>;
}

/** The URL with its password masked, for messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(an unparsable URL)';
  }
}

async function openPglite(dataDir: string): Promise<AuditDb> {
  mkdirSync(dataDir, { recursive: true });
  const release = lockDataDir(dataDir);
  let client: PGlite | undefined;
  try {
    client = await PGlite.create(dataDir);
    const db: AuditSql = drizzlePglite({ client, schema: auditSchema });
    const schemaVersion = await migrate(db);
    const opened = client;
    return {
      sql: db,
      backend: 'pglite',
      schemaVersion,
      async close() {
        try {
          if (!opened.closed) await opened.close();
        } finally {
          release();
        }
      },
    };
  } catch (err) {
    await client?.close();
    release();
    throw new AuditError(`cannot open the audit database in ${dataDir}: ${rootMessage(err)}`, { cause: err });
  }
}

async function openPostgres(url: string, onError?: (err: Error) => void): Promise<AuditDb> {
  const pool = new pg.Pool({ connectionString: url, max: 10, connectionTimeoutMillis: 5_000 });
  pool.on('error', onError ?? ((err) => process.emitWarning(`audit database: ${err.message}`)));
  // pool.end() resolves before its connections have closed: count them, so that close() means closed.
  let connections = 0;
  let drained: (() => void) | undefined;
  pool.on('connect', () => connections++);
  pool.on('remove', () => {
    if (--connections === 0) drained?.();
  });
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      const gone = new Promise<void>((resolve) => (drained = resolve));
      await pool.end();
      if (connections > 0) await gone;
    })());
  try {
    const db: AuditSql = drizzleNodePg({ client: pool, schema: auditSchema });
    return { sql: db, backend: 'postgres', schemaVersion: await migrate(db), close };
  } catch (err) {
    await close();
    throw new AuditError(`cannot open the audit database at ${redactUrl(url)}: ${rootMessage(err)}`, {
      cause: err,
    });
  }
}

/** Opens the audit database and brings its schema up to date (idempotent; concurrent replicas are fine). */
export function openAuditDb(options: AuditDbOptions): Promise<AuditDb> {
  return 'url' in options ? openPostgres(options.url, options.onError) : openPglite(options.dataDir);
}
