import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type TestPostgres } from '../testing/postgres.js';
import { AuditStore } from './audit.store.js';
import { auditStoreSuite } from './audit.store.suite.js';
import { openAuditDb } from './db.js';
import { migrations } from './migrations.js';

let server: TestPostgres | undefined;

/** A fresh database on the run's PostgreSQL; its URL. */
async function createDatabase(name: string): Promise<string> {
  if (!server) throw new Error('PostgreSQL is not running');
  const client = new pg.Client(server.url);
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  return server.url.replace(/\/postgres$/, `/${name}`);
}

beforeAll(async () => {
  const start = performance.now();
  server = await startPostgres();
  console.info(`PostgreSQL 15 started in ${Math.round(performance.now() - start)} ms`);
}, 60_000);

afterAll(async () => {
  await server?.stop();
});

auditStoreSuite('AuditStore on PostgreSQL 15', async () => {
  const url = await createDatabase('audit_suite');
  return { open: () => openAuditDb({ url }), dispose: async () => undefined };
});

describe('the audit database on PostgreSQL', () => {
  it('migrates once when replicas open it at the same time', async () => {
    const url = await createDatabase('audit_race');
    const dbs = await Promise.all([1, 2, 3, 4].map(() => openAuditDb({ url })));
    try {
      expect(dbs.map((db) => db.schemaVersion)).toEqual([1, 2, 3, 4].map(() => migrations.length));
      const client = new pg.Client(url);
      await client.connect();
      const versions = await client.query('SELECT version FROM audit_schema_version ORDER BY version');
      await client.end();
      expect(versions.rows).toEqual(migrations.map((_, i) => ({ version: i + 1 })));
    } finally {
      await Promise.all(dbs.map((db) => db.close()));
    }
  });

  it('leaves no connection open once closed', async () => {
    const url = await createDatabase('audit_close');
    const db = await openAuditDb({ url });
    await new AuditStore(db).query({ user: 'alice' });
    await db.close();
    await db.close();
    const client = new pg.Client(url);
    await client.connect();
    const others = await client.query(
      "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = 'audit_close' AND pid <> pg_backend_pid()",
    );
    await client.end();
    expect(others.rows).toEqual([{ n: 0 }]);
  });
});
