import { describe, expect, it } from 'vitest';
import { QueryError, runQuery } from './query.js';

const obj = (
  name: string,
  spec: Record<string, unknown>,
  labels: Record<string, string> = {},
  created = '2026-01-01',
) => ({
  metadata: { name, labels, creationTimestamp: created },
  spec,
});
const items = [
  obj('web', { tenant: 'qa', displayName: 'Web Front', cpu: 4 }, { app: 'web', tier: 'front' }, '2026-01-03'),
  obj('api', { tenant: 'qa', displayName: 'API', cpu: 10 }, { app: 'api', tier: 'back' }, '2026-01-01'),
  obj('db', { tenant: 'prod', description: 'the database', cpu: 2 }, { app: 'db' }, '2026-01-02'),
];
const names = (r: { items: { metadata: { name: string } }[] }) => r.items.map((i) => i.metadata.name);

describe('runQuery', () => {
  it('sorts by name by default, and by any path, descending with -', () => {
    expect(names(runQuery(items, {}))).toEqual(['api', 'db', 'web']);
    expect(names(runQuery(items, { sort: '-metadata.creationTimestamp' }))).toEqual(['web', 'db', 'api']);
    expect(names(runQuery(items, { sort: 'spec.cpu' }))).toEqual(['db', 'web', 'api']);
    expect(names(runQuery(items, { sort: 'spec.description' }))).toEqual(['db', 'api', 'web']);
  });

  it('filters by field, by text and by labels', () => {
    expect(names(runQuery(items, { filter: 'spec.tenant=qa' }))).toEqual(['api', 'web']);
    expect(names(runQuery(items, { filter: 'spec.tenant!=qa' }))).toEqual(['db']);
    expect(names(runQuery(items, { filter: 'spec.displayName~front' }))).toEqual(['web']);
    expect(names(runQuery(items, { filter: 'DATA' }))).toEqual(['db']);
    expect(names(runQuery(items, { filter: 'spec.tenant=qa,a' }))).toEqual(['api']);
    expect(names(runQuery(items, { labelSelector: 'tier' }))).toEqual(['api', 'web']);
    expect(names(runQuery(items, { labelSelector: '!tier' }))).toEqual(['db']);
    expect(names(runQuery(items, { labelSelector: 'app in (web,db)' }))).toEqual(['db', 'web']);
    expect(names(runQuery(items, { labelSelector: 'app notin (web,db),tier=back' }))).toEqual(['api']);
  });

  it('pages with a total, after dropping what the caller may not see', () => {
    const many = Array.from({ length: 120 }, (_, i) => obj(`n${String(i).padStart(3, '0')}`, { i }));
    const r = runQuery(many, { page: 2, pageSize: 50 }, (o) => (o.spec.i as number) % 2 === 0);
    expect(r.total).toBe(60);
    expect(names(r)).toEqual([
      'n100',
      'n102',
      'n104',
      'n106',
      'n108',
      'n110',
      'n112',
      'n114',
      'n116',
      'n118',
    ]);
  });

  it('refuses bad input naming the parameter', () => {
    const err = (q: Parameters<typeof runQuery>[1]) => {
      try {
        runQuery(items, q);
      } catch (e) {
        return e instanceof QueryError ? `${e.field}: ${e.message}` : String(e);
      }
      return 'accepted';
    };
    expect(err({ pageSize: 5000 })).toBe('pageSize: pageSize must be a whole number from 1 to 1000');
    expect(err({ page: 0 })).toMatch(/^page: /);
    expect(err({ sort: 'spec..x' })).toMatch(/^sort: /);
    expect(err({ labelSelector: 'bad key!x=1' })).toMatch(/^labelSelector: /);
  });
});
