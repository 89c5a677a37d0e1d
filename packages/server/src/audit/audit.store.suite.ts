import { sql } from 'drizzle-orm';
import { getTableConfig } from 'drizzle-orm/pg-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AuditStore, type AuditEntry, type AuditResult } from './audit.store.js';
import type { AuditQuery } from './audit.query.js';
import type { AuditDb } from './db.js';
import { AuditError, AuditQueryError } from './errors.js';
import { migrations } from './migrations.js';
import { auditEvents } from './schema.js';

/** Where a suite's database lives: `open()` opens the same storage again each time it is called. */
export interface AuditBackend {
  open(): Promise<AuditDb>;
  /** Removes the storage. */
  dispose(): Promise<void>;
}

const minute = 60_000;
const day = 86_400_000;

/** The behaviour every backend must have; run by audit.store.test.ts (PGlite) and audit.pg.int.test.ts. */
export function auditStoreSuite(name: string, newBackend: () => Promise<AuditBackend>): void {
  describe(name, () => {
    let backend: AuditBackend | undefined;
    let db: AuditDb;
    let store: AuditStore;
    const now = Date.now();
    const ago = (ms: number): Date => new Date(now - ms);

    beforeAll(async () => {
      backend = await newBackend();
      db = await backend.open();
      store = new AuditStore(db);
    }, 120_000);

    afterAll(async () => {
      await db?.close();
      await backend?.dispose();
    });

    beforeEach(async () => {
      await db.sql.delete(auditEvents);
    });

    const seed = async (): Promise<void> => {
      const rows: (AuditEntry & AuditResult)[] = [
        {
          time: ago(50 * minute),
          user: 'alice',
          verb: 'create',
          kind: 'Tenant',
          cluster: 'c1',
          outcome: 201,
        },
        { time: ago(40 * minute), user: 'bob', verb: 'update', kind: 'Tenant', cluster: 'c1', outcome: 200 },
        {
          time: ago(30 * minute),
          user: 'alice',
          verb: 'delete',
          kind: 'Partition',
          cluster: 'c2',
          outcome: 403,
        },
        { time: ago(20 * minute), user: 'carol', verb: 'login', outcome: 401, reason: 'bad password' },
        {
          time: ago(10 * minute),
          user: 'bob',
          verb: 'patch',
          kind: 'Partition',
          cluster: 'c2',
          outcome: 500,
        },
        { time: ago(5 * minute), user: 'alice', verb: 'update', kind: 'User', cluster: 'c1', outcome: 304 },
      ];
      for (const row of rows) await store.record(row);
      await store.begin({
        time: ago(1 * minute),
        user: 'bob',
        verb: 'delete',
        kind: 'Tenant',
        cluster: 'c1',
      });
    };
    /** The users of the matching records, newest first. */
    const users = async (query: AuditQuery): Promise<string[]> =>
      (await store.query(query)).items.map((r) => r.user);

    it('writes a pending record before the mutation and completes it after', async () => {
      const entry = {
        user: 'alice',
        groups: ['devs'],
        verb: 'update',
        kind: 'Tenant',
        name: 't1',
        cluster: 'c1',
      };
      const id = await store.begin(entry);
      expect((await store.query()).items).toMatchObject([{ id, ...entry, outcome: null, changes: null }]);

      await store.complete(id, { outcome: 200, changes: ['spec.displayName', 'spec.clusters'] });
      const [done] = (await store.query()).items;
      expect(done).toMatchObject({
        id,
        outcome: 200,
        reason: null,
        changes: ['spec.displayName', 'spec.clusters'],
      });
      expect(Math.abs((done?.time.getTime() ?? 0) - Date.now())).toBeLessThan(60_000);

      await expect(store.complete(id, { outcome: 500 })).rejects.toThrow(/not pending/);
      await expect(store.complete(id + 1000, { outcome: 200 })).rejects.toBeInstanceOf(AuditError);
    });

    it('records one-shot records with every field', async () => {
      const entry = {
        time: new Date('2030-01-02T03:04:05.678Z'),
        user: 'mallory',
        groups: ['a', 'b'],
        sourceIp: '10.1.2.3',
        userAgent: 'kubectl/v1.33',
        verb: 'delete',
        kind: 'Partition',
        name: 'qa-web',
        namespace: 'qa-web',
        cluster: 'user-cluster',
        requestId: 'req-1',
        outcome: 403,
        reason: 'Forbidden',
      };
      const id = await store.record(entry);
      expect((await store.query()).items).toEqual([{ id, ...entry, changes: null }]);
    });

    it('refuses outcomes that are not HTTP statuses', async () => {
      await expect(store.record({ user: 'a', verb: 'login', outcome: 42 })).rejects.toBeInstanceOf(
        AuditError,
      );
      const id = await store.begin({ user: 'a', verb: 'create' });
      await expect(store.complete(id, { outcome: 200.5 })).rejects.toBeInstanceOf(AuditError);
    });

    it('filters by user, kind, verb, cluster and time, newest first', async () => {
      await seed();
      expect(await users({})).toEqual(['bob', 'alice', 'bob', 'carol', 'alice', 'bob', 'alice']);
      expect(await users({ user: 'alice' })).toEqual(['alice', 'alice', 'alice']);
      expect((await store.query({ kind: 'Partition' })).items.map((r) => r.verb)).toEqual([
        'patch',
        'delete',
      ]);
      expect((await store.query({ verb: 'update' })).items.map((r) => r.kind)).toEqual(['User', 'Tenant']);
      expect((await store.query({ cluster: 'c2' })).total).toBe(2);
      // since is inclusive, until exclusive.
      expect(await users({ since: ago(30 * minute), until: ago(10 * minute) })).toEqual(['carol', 'alice']);
      expect(await users({ since: ago(30 * minute).toISOString() })).toHaveLength(5);
      expect(await users({ user: 'bob', kind: 'Tenant', cluster: 'c1' })).toEqual(['bob', 'bob']);
      expect(await users({ user: 'nobody' })).toEqual([]);
    });

    it('filters by outcome: a status, a class, success, failure or pending', async () => {
      await seed();
      const outcomes = async (outcome: string | number): Promise<(number | null)[]> =>
        (await store.query({ outcome })).items.map((r) => r.outcome);
      expect(await outcomes(403)).toEqual([403]);
      expect(await outcomes('401')).toEqual([401]);
      expect(await outcomes('2xx')).toEqual([200, 201]);
      expect(await outcomes('3xx')).toEqual([304]);
      expect(await outcomes('4xx')).toEqual([401, 403]);
      expect(await outcomes('5xx')).toEqual([500]);
      expect(await outcomes('success')).toEqual([304, 200, 201]);
      expect(await outcomes('FAILURE')).toEqual([500, 401, 403]);
      expect(await outcomes('pending')).toEqual([null]);
      expect(await outcomes(418)).toEqual([]);
    });

    it('pages with a total', async () => {
      const time = ago(minute);
      for (let i = 0; i < 7; i++) await store.record({ time, user: `u${i}`, verb: 'create', outcome: 201 });
      const page = async (n: number) => store.query({ page: n, pageSize: 3 });
      // Records of the same instant come back newest (last written) first.
      expect(await page(1)).toMatchObject({
        total: 7,
        items: [{ user: 'u6' }, { user: 'u5' }, { user: 'u4' }],
      });
      expect((await page(3)).items.map((r) => r.user)).toEqual(['u0']);
      expect(await page(4)).toEqual({ total: 7, items: [] });
      expect((await store.query({ page: '2', pageSize: '5' })).items).toHaveLength(2);
    });

    it('defaults to 50 a page and allows 1000 at most', async () => {
      await db.sql.execute(
        sql`INSERT INTO audit_events ("user", verb, outcome) SELECT 'u' || i, 'create', 201 FROM generate_series(1, 60) i`,
      );
      expect(await store.query()).toMatchObject({ total: 60, items: expect.any(Array) });
      expect((await store.query()).items).toHaveLength(50);
      expect((await store.query({ pageSize: 1000 })).items).toHaveLength(60);
    });

    it('rejects a wrong query, naming the field', async () => {
      const field = async (query: AuditQuery): Promise<string> => {
        const err = await store.query(query).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(AuditQueryError);
        return err instanceof AuditQueryError ? err.field : '';
      };
      expect(await field({ outcome: 'ok' })).toBe('outcome');
      expect(await field({ outcome: 99 })).toBe('outcome');
      expect(await field({ pageSize: 1001 })).toBe('pageSize');
      expect(await field({ page: 0 })).toBe('page');
      expect(await field({ since: 'yesterday-ish' })).toBe('since');
    });

    it('prunes records older than the retention', async () => {
      for (const age of [40 * day, 31 * day, 29 * day, minute]) {
        await store.record({ time: ago(age), user: 'u', verb: 'create', outcome: 201 });
      }
      expect(await store.prune(30)).toBe(2);
      expect((await store.query()).total).toBe(2);
      expect(await store.prune(30)).toBe(0);
      await expect(store.prune(0)).rejects.toBeInstanceOf(AuditError);
    });

    it('prunes periodically until stopped', async () => {
      await store.record({ time: ago(10 * day), user: 'u', verb: 'create', outcome: 201 });
      const runs: number[] = [];
      const errors: unknown[] = [];
      const stop = store.startRetention({
        days: 7,
        intervalMs: 10,
        onPrune: (deleted) => runs.push(deleted),
        onError: (err) => errors.push(err),
      });
      await expect.poll(() => runs.length, { timeout: 20_000 }).toBeGreaterThanOrEqual(3);
      await stop();
      const after = runs.length;
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(runs.length).toBe(after);
      expect(runs[0]).toBe(1);
      expect(runs.slice(1).every((n) => n === 0)).toBe(true);
      expect(errors).toEqual([]);
      expect(() => store.startRetention({ days: 0 })).toThrow(AuditError);
      expect(() => store.startRetention({ days: 1, intervalMs: Number.NaN })).toThrow(AuditError);
    });

    it('answers filtered queries over 100k records from its indexes', async () => {
      await db.sql.execute(sql`
        INSERT INTO audit_events (time, "user", groups, verb, kind, name, namespace, cluster, outcome, request_id)
        SELECT now() - i * interval '1 second', 'user' || (i % 50), '{devs}',
          (ARRAY['create','update','patch','delete','login'])[1 + i % 5],
          (ARRAY['Tenant','Partition','User','Group','Cluster','RoleTemplate','App','Secret'])[1 + i % 8],
          'n' || i, 'ns' || (i % 20), 'cluster-' || (i % 4),
          (ARRAY[200,201,200,200,403,404,409,500,200,401])[1 + i % 10], 'req-' || i
        FROM generate_series(1, 100000) AS i`);
      await store.prune(3650); // deletes nothing; vacuums and analyzes, as the retention loop does
      const filters: AuditQuery[] = [
        { user: 'user7' },
        { kind: 'Secret' },
        { verb: 'delete' },
        { cluster: 'cluster-2' },
        { outcome: 403 },
        { outcome: '4xx' },
        { outcome: 'failure' },
        { since: ago(3_600_000) },
        { user: 'user7', outcome: 'failure', page: 3 },
      ];
      const timings: string[] = [];
      for (const filter of filters) {
        await store.query(filter);
        const runs: number[] = [];
        for (let i = 0; i < 5; i++) {
          const start = performance.now();
          await store.query(filter);
          runs.push(performance.now() - start);
        }
        const median = runs.sort((a, b) => a - b)[2] ?? Infinity;
        timings.push(`${JSON.stringify(filter)} ${median.toFixed(1)}ms`);
        expect(median, JSON.stringify(filter)).toBeLessThan(100);
      }
      console.info(`${name}, query median at 100k rows:\n  ${timings.join('\n  ')}`);
      const plan = await db.sql.execute(
        sql`EXPLAIN SELECT * FROM audit_events WHERE "user" = 'user7' ORDER BY time DESC, id DESC LIMIT 50`,
      );
      expect(JSON.stringify(plan)).toContain('audit_events_user_idx');
    }, 120_000);

    it('keeps its records across a reopen, and refuses writes when closed', async () => {
      const id = await store.record({ user: 'alice', verb: 'login', outcome: 200 });
      await db.close();
      await expect(store.begin({ user: 'alice', verb: 'create' })).rejects.toBeInstanceOf(AuditError);
      if (!backend) throw new Error('no backend');
      db = await backend.open();
      store = new AuditStore(db);
      expect(db.schemaVersion).toBe(migrations.length);
      expect((await store.query()).items).toMatchObject([{ id, user: 'alice', verb: 'login', outcome: 200 }]);
    }, 60_000);

    it('creates the table that schema.ts describes', async () => {
      const columns = await db.sql
        .select({ name: sql<string>`column_name`, nullable: sql<string>`is_nullable` })
        .from(sql`information_schema.columns`)
        .where(sql`table_name = 'audit_events'`);
      const expected = getTableConfig(auditEvents).columns.map((c) => ({
        name: c.name,
        nullable: c.notNull ? 'NO' : 'YES',
      }));
      expect(columns).toEqual(expect.arrayContaining(expected));
      expect(columns).toHaveLength(expected.length);
    });
  });
}
