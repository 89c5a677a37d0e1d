// POST /api/v1/session/can: the console asks what the caller may do and shows only that; the answers must
// be the server's own decisions (authz-matrix.int.test.ts proves those request by request).
import { describe, expect, it } from 'vitest';
import {
  authzWorld,
  clusterA,
  clusterB,
  pa1,
  tenantA,
  tenantB,
  type UserKey,
} from '../testing/authz-world.js';

const { clients } = authzWorld();

type Check = { verb: string; resource: string; scope?: { level: string; name?: string } };
const at = (level: string, name?: string) => ({ level, ...(name ? { name } : {}) });

const checks: Check[] = [
  { verb: 'list', resource: 'tenants' },
  { verb: 'list', resource: 'auditevents' },
  { verb: 'create', resource: 'partitions', scope: at('tenant', tenantA) },
  { verb: 'create', resource: 'partitions', scope: at('tenant', tenantB) },
  { verb: 'create', resource: 'groups', scope: at('tenant', tenantA) },
  { verb: 'update', resource: 'partitions', scope: at('partition', pa1) },
  { verb: 'get', resource: 'partitions', scope: at('partition', pa1) },
  { verb: 'create', resource: 'partitions', scope: at('cluster', clusterA) },
  { verb: 'create', resource: 'partitions', scope: at('cluster', clusterB) },
  { verb: 'create', resource: 'partitions', scope: at('tenant', 'no-such-tenant') },
];
const T = true;
const F = false;
const want: Partial<Record<UserKey, boolean[]>> = {
  padmin: [T, T, T, T, T, T, T, T, T, T],
  cadmin: [F, F, F, F, F, T, T, T, F, F],
  tadmin: [F, F, T, F, T, T, T, F, F, F],
  tmember: [F, F, F, F, F, F, T, F, F, F],
  powner: [F, F, F, F, F, T, T, F, F, F],
  pviewer: [F, F, F, F, F, F, T, F, F, F],
  none: [F, F, F, F, F, F, F, F, F, F],
};

describe('POST /api/v1/session/can', () => {
  it.each(Object.keys(want) as UserKey[])('answers %s as the server decides', async (u) => {
    const r = await clients[u].post<{ allowed: boolean[] }>('/api/v1/session/can', { checks });
    expect(r.status).toBe(200);
    const got = Object.fromEntries(
      checks.map((c, i) => [`${c.verb} ${c.resource} ${JSON.stringify(c.scope)}`, r.body.allowed[i]]),
    );
    const expected = Object.fromEntries(
      checks.map((c, i) => [`${c.verb} ${c.resource} ${JSON.stringify(c.scope)}`, want[u]![i]]),
    );
    expect(got).toEqual(expected);
  });

  it('refuses a bad question with 422 naming the field', async () => {
    const r = await clients.none.post('/api/v1/session/can', {
      checks: [{ verb: 'get', scope: { level: 'galaxy' } }],
    });
    expect([r.status, r.body.field]).toEqual([422, 'checks[0].resource']);
    const empty = await clients.none.post('/api/v1/session/can', { checks: [] });
    expect(empty.status).toBe(422);
  });
});
