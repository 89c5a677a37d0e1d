import { describe, expect, it } from 'vitest';
import { parseAuditQuery, parseOutcomeFilter } from './audit.query.js';
import { AuditQueryError } from './errors.js';

describe('parseOutcomeFilter', () => {
  it('reads a status, a class, success, failure and pending', () => {
    expect(parseOutcomeFilter(403)).toEqual({ exact: 403 });
    expect(parseOutcomeFilter(' 404 ')).toEqual({ exact: 404 });
    expect(parseOutcomeFilter('2XX')).toEqual({ min: 200, max: 300 });
    expect(parseOutcomeFilter('5xx')).toEqual({ min: 500, max: 600 });
    expect(parseOutcomeFilter('success')).toEqual({ min: 100, max: 400 });
    expect(parseOutcomeFilter('failure')).toEqual({ min: 400, max: 600 });
    expect(parseOutcomeFilter('pending')).toEqual({ pending: true });
  });

  it('refuses anything else', () => {
    for (const bad of [99, 600, 403.5, '6xx', 'ok', '', '40x'])
      expect(parseOutcomeFilter(bad)).toBeUndefined();
  });
});

describe('parseAuditQuery', () => {
  it('applies the defaults', () => {
    expect(parseAuditQuery({})).toEqual({ page: 1, pageSize: 50 });
  });

  it('coerces the strings of a query string', () => {
    expect(
      parseAuditQuery({
        page: '2',
        pageSize: '1000',
        since: '2030-01-01T00:00:00Z',
        outcome: '4xx',
        user: ' bob ',
      }),
    ).toEqual({
      page: 2,
      pageSize: 1000,
      since: new Date('2030-01-01T00:00:00Z'),
      outcome: { min: 400, max: 500 },
      user: 'bob',
    });
  });

  it('names the wrong field', () => {
    const field = (query: Parameters<typeof parseAuditQuery>[0]): string | undefined => {
      try {
        parseAuditQuery(query);
        return undefined;
      } catch (err) {
        return err instanceof AuditQueryError ? err.field : 'not an AuditQueryError';
      }
    };
    expect(field({ pageSize: 0 })).toBe('pageSize');
    expect(field({ pageSize: 1001 })).toBe('pageSize');
    expect(field({ page: 1.5 })).toBe('page');
    expect(field({ until: 'soon' })).toBe('until');
    expect(field({ kind: '' })).toBe('kind');
    expect(field({ outcome: 'teapot' })).toBe('outcome');
  });
});
