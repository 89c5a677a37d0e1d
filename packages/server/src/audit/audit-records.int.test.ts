// The audit log as a client sees it: what each kind of request records, and GET /api/v1/audit, on embedded
// PGlite and on a real PostgreSQL; and a server whose audit database is gone refuses to change anything.
import { kinds, type KindDef } from '@shipyard/api';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ApiError } from '../http/errors.js';
import { management, PlatformObjects } from '../kube/management.js';
import { startPostgres, type TestPostgres } from '../testing/postgres.js';
import {
  ApiClient,
  eventually,
  startTestServer,
  testAdminPassword,
  type Reply,
  type TestServer,
} from '../testing/server.js';

const run = Date.now().toString(36);
const password = 'audit-test-password';

type AuditItem = {
  id: number;
  time: string;
  user: string;
  groups: string[];
  sourceIp: string | null;
  userAgent: string | null;
  verb: string;
  kind: string | null;
  name: string | null;
  outcome: number | null;
  reason: string | null;
  requestId: string | null;
  changes: string[] | null;
};
type AuditPage = { items: AuditItem[]; total: number };

function kube(): PlatformObjects {
  return new PlatformObjects(management({ kubeconfig: inject('kubeconfig'), namespace: 'shipyard-system' }));
}

/** The object as the management cluster holds it, or undefined: no cache in between. */
async function stored(objects: PlatformObjects, d: KindDef, name: string) {
  return objects.get(d, name).catch((err: unknown) => {
    if (err instanceof ApiError && err.status === 404) return undefined;
    throw err;
  });
}

async function removeStored(objects: PlatformObjects, d: KindDef, name: string): Promise<void> {
  await objects.delete(d, name).catch((err: unknown) => {
    if (!(err instanceof ApiError && err.status === 404)) throw err;
  });
}

const cached = (c: ApiClient, url: string) =>
  eventually(`${url} cached`, async () => ((await c.get(url)).status === 200 ? true : undefined));

/** Signs in once the server's cache has the user (an early attempt would be a failed login on record). */
async function signIn(base: string, admin: ApiClient, user: string): Promise<ApiClient> {
  await cached(admin, `/api/v1/users/${user}`);
  return ApiClient.signedIn(base, user, password);
}

type Backend = { server: TestServer; dispose: () => Promise<void> };

/** One suite for every audit backend: the same requests must leave the same records. */
function auditRecordsSuite(label: string, tag: string, open: () => Promise<Backend>): void {
  describe(label, () => {
    const n = (s: string) => `au-${tag}-${s}-${run}`;
    const alice = n('alice'); // platform-admin through her group
    const bob = n('bob'); // in a group that grants nothing
    const admins = n('admins');
    const idle = n('idle');
    const tenant = n('tenant');
    const userAgent = `audit-records-test/${tag}`;
    let backend: Backend;
    let admin: ApiClient;
    let asAlice: ApiClient;
    let asBob: ApiClient;
    let since: string;

    /** A request with this suite's User-Agent. */
    const send = (
      c: ApiClient,
      method: string,
      url: string,
      body?: unknown,
      headers: Record<string, string> = {},
    ) => c.request(method, url, body, { 'user-agent': userAgent, ...headers });
    const audit = (query: string, c: ApiClient = admin) => c.get<AuditPage>(`/api/v1/audit?${query}`);
    const requestId = (r: Reply) => {
      const id = r.headers.get('x-request-id');
      expect(id).toMatch(/^[\w.-]+$/);
      return id ?? '';
    };
    /** The record of the request that got this reply (found by the request id the reply carries). */
    async function recordOf(r: Reply): Promise<AuditItem> {
      const id = requestId(r);
      const page = await audit(`since=${since}&pageSize=1000`);
      expect(page.status).toBe(200);
      const found = page.body.items.filter((i) => i.requestId === id);
      expect(found).toHaveLength(1);
      return found[0] as AuditItem;
    }
    const who = { sourceIp: '127.0.0.1', userAgent };

    beforeAll(async () => {
      backend = await open();
      const { server } = backend;
      admin = await ApiClient.signedIn(server.url, 'admin', testAdminPassword);
      const users = [
        admin.post('/api/v1/users', { metadata: { name: alice }, spec: { password } }),
        admin.post('/api/v1/users', { metadata: { name: bob }, spec: { password } }),
      ];
      expect((await Promise.all(users)).map((r) => r.status)).toEqual([201, 201]);
      // A group's members must exist when it is written.
      const groups = [
        admin.post('/api/v1/groups', { metadata: { name: admins }, spec: { members: [alice] } }),
        admin.post('/api/v1/groups', { metadata: { name: idle }, spec: { members: [bob] } }),
      ];
      expect((await Promise.all(groups)).map((r) => r.status)).toEqual([201, 201]);
      await cached(admin, `/api/v1/groups/${admins}`);
      const binding = await admin.post('/api/v1/roletemplatebindings', {
        metadata: { name: n('admins') },
        spec: {
          subject: { kind: 'Group', name: admins },
          roleTemplate: 'platform-admin',
          scope: { level: 'platform' },
        },
      });
      expect(binding.status).toBe(201);
      asAlice = await signIn(server.url, admin, alice);
      asBob = await signIn(server.url, admin, bob);
      await eventually('alice is an admin through her group', async () => {
        const s = await asAlice.get<{ groups: string[]; grants: unknown[] }>('/api/v1/session');
        return s.body.grants.length === 1 && s.body.groups.includes(admins) ? true : undefined;
      });
      // Everything above is set-up; the records under test are the ones from here on.
      since = new Date().toISOString();
    });

    afterAll(async () => {
      if (backend) {
        // Through the API, so that the users' passwords and sessions go with them.
        for (const u of [alice, bob])
          expect([200, 404]).toContain((await admin.del(`/api/v1/users/${u}`)).status);
        await backend.server.close();
      }
      const objects = kube();
      await removeStored(objects, kinds.RoleTemplateBinding, n('admins'));
      await Promise.all([admins, idle].map((g) => removeStored(objects, kinds.Group, g)));
      await Promise.all([tenant, n('denied')].map((t) => removeStored(objects, kinds.Tenant, t)));
      await backend?.dispose();
    });

    let created: AuditItem;
    let updated: AuditItem;
    let deleted: AuditItem;

    it('records an allowed create: who, from where, what, how it ended, and the request id', async () => {
      const id = `au-${tag}-${run}-create`;
      const r = await send(
        asAlice,
        'POST',
        '/api/v1/tenants',
        { metadata: { name: tenant }, spec: {} },
        {
          'x-request-id': id,
        },
      );
      expect(r.status).toBe(201);
      expect(r.headers.get('x-request-id')).toBe(id);
      created = await recordOf(r);
      expect(created).toMatchObject({
        ...who,
        user: alice,
        groups: [admins],
        verb: 'create',
        kind: 'Tenant',
        name: tenant,
        outcome: 201,
        requestId: id,
        changes: null,
      });
    });

    it('records an update with the paths it changed, never their values', async () => {
      await cached(admin, `/api/v1/tenants/${tenant}`);
      const secret = `not-for-the-log-${run}`;
      const r = await send(asAlice, 'PATCH', `/api/v1/tenants/${tenant}`, {
        spec: { displayName: 'Audited tenant', description: secret },
      });
      expect(r.status).toBe(200);
      updated = await recordOf(r);
      expect(updated).toMatchObject({
        ...who,
        user: alice,
        groups: [admins],
        verb: 'update',
        kind: 'Tenant',
        name: tenant,
        outcome: 200,
        requestId: requestId(r),
        changes: ['spec.description', 'spec.displayName'],
      });
      expect(JSON.stringify(updated)).not.toContain(secret);
      expect(JSON.stringify(updated)).not.toContain('Audited tenant');
    });

    it('records a delete', async () => {
      const r = await send(asAlice, 'DELETE', `/api/v1/tenants/${tenant}`);
      expect(r.status).toBe(200);
      deleted = await recordOf(r);
      expect(deleted).toMatchObject({
        ...who,
        user: alice,
        groups: [admins],
        verb: 'delete',
        kind: 'Tenant',
        name: tenant,
        outcome: 200,
        requestId: requestId(r),
      });
    });

    it('records a denied call', async () => {
      const r = await send(asBob, 'POST', '/api/v1/tenants', { metadata: { name: n('denied') }, spec: {} });
      expect(r.status).toBe(403);
      expect(r.body).toEqual({ code: 403, reason: 'Forbidden', message: expect.stringContaining('may not') });
      expect(await recordOf(r)).toMatchObject({
        ...who,
        user: bob,
        groups: [idle],
        verb: 'create',
        kind: 'Tenant',
        name: n('denied'),
        outcome: 403,
        reason: 'Forbidden',
        requestId: requestId(r),
      });
    });

    it('records a failed sign-in', async () => {
      const r = await send(new ApiClient(backend.server.url), 'POST', '/api/v1/login', {
        username: bob,
        password: 'not-the-password',
      });
      expect(r.status).toBe(401);
      expect(await recordOf(r)).toMatchObject({
        ...who,
        user: bob,
        groups: [],
        verb: 'login',
        kind: 'User',
        name: bob,
        outcome: 401,
        requestId: requestId(r),
      });
    });

    it('filters by user, kind, verb, outcome and time', async () => {
      /** What matches (only the records under test: since the end of the set-up, unless it says since). */
      const verbs = async (query: string) => {
        const r = await audit(query.includes('since=') ? query : `since=${since}&${query}`);
        expect({ query, status: r.status }).toEqual({ query, status: 200 });
        return {
          total: r.body.total,
          got: r.body.items.map(
            (i) => `${i.user === alice ? 'alice' : i.user === bob ? 'bob' : i.user} ${i.verb} ${i.outcome}`,
          ),
        };
      };
      expect(await verbs(`user=${alice}`)).toEqual({
        total: 3,
        got: ['alice delete 200', 'alice update 200', 'alice create 201'],
      });
      expect(await verbs(`user=${bob}`)).toEqual({ total: 2, got: ['bob login 401', 'bob create 403'] });
      expect(await verbs('kind=Tenant&verb=create')).toEqual({
        total: 2,
        got: ['bob create 403', 'alice create 201'],
      });
      expect(await verbs('kind=User')).toEqual({ total: 1, got: ['bob login 401'] });
      expect(await verbs('verb=update')).toEqual({ total: 1, got: ['alice update 200'] });
      expect(await verbs('outcome=4xx')).toEqual({ total: 2, got: ['bob login 401', 'bob create 403'] });
      expect(await verbs('outcome=403')).toEqual({ total: 1, got: ['bob create 403'] });
      expect(await verbs('outcome=2xx&kind=Tenant')).toEqual({
        total: 3,
        got: ['alice delete 200', 'alice update 200', 'alice create 201'],
      });
      expect(await verbs(`outcome=failure&user=${alice}`)).toEqual({ total: 0, got: [] });
      // since is inclusive, until exclusive
      expect(await verbs(`since=${updated.time}&until=${deleted.time}`)).toEqual({
        total: 1,
        got: ['alice update 200'],
      });
      expect(await verbs(`since=${created.time}&until=${updated.time}&user=${alice}`)).toEqual({
        total: 1,
        got: ['alice create 201'],
      });
      // before `since`: the set-up, e.g. alice's sign-in
      const before = await audit(`until=${since}&user=${alice}`);
      expect(before.body.items.map((i) => `${i.verb} ${i.outcome}`)).toEqual(['login 200']);
      expect((await audit(`since=${new Date(Date.now() + 60_000).toISOString()}`)).body).toEqual({
        items: [],
        total: 0,
      });
    });

    it('pages newest first, with the total of all pages', async () => {
      const all = await audit(`since=${since}`);
      expect(all.body.total).toBe(5);
      const ids = all.body.items.map((i) => i.id);
      const times = all.body.items.map((i) => Date.parse(i.time));
      expect(times).toEqual([...times].sort((a, b) => b - a));
      const pages = [];
      for (const page of [1, 2, 3, 4]) {
        const r = await audit(`since=${since}&pageSize=2&page=${page}`);
        expect(r.body.total).toBe(5);
        pages.push(r.body.items.map((i) => i.id));
      }
      expect(pages.map((p) => p.length)).toEqual([2, 2, 1, 0]);
      expect(pages.flat()).toEqual(ids);
    });

    it('is for platform auditors only', async () => {
      const r = await asBob.get('/api/v1/audit');
      expect(r.status).toBe(403);
      expect(r.body).toEqual({ code: 403, reason: 'Forbidden', message: 'you may not read the audit log' });
      expect((await asAlice.get('/api/v1/audit')).status).toBe(200);
    });

    it.each([
      ['outcome=sometimes', 'outcome'],
      ['since=yesterday', 'since'],
      ['until=2024-13-45', 'until'],
      ['pageSize=0', 'pageSize'],
      ['page=first', 'page'],
    ])('answers a bad filter (%s) with 400 naming it', async (query, field) => {
      const r = await audit(query);
      expect(r.status).toBe(400);
      expect(r.body).toEqual({
        code: 400,
        reason: 'BadRequest',
        field,
        message: expect.stringContaining(field),
      });
    });
  });
}

auditRecordsSuite('audit records on embedded PGlite', 'lite', async () => ({
  server: await startTestServer(inject('kubeconfig')),
  dispose: async () => undefined,
}));

auditRecordsSuite('audit records on PostgreSQL 15', 'pg', async () => {
  const pg = await startPostgres();
  try {
    return { server: await startTestServer(inject('kubeconfig'), { databaseUrl: pg.url }), dispose: pg.stop };
  } catch (err) {
    await pg.stop();
    throw err;
  }
});

describe('when the audit database is unavailable', () => {
  const n = (s: string) => `au-down-${s}-${run}`;
  const kept = n('kept');
  let objects: PlatformObjects;
  let pg: TestPostgres;
  let server: TestServer;
  let admin: ApiClient;

  beforeAll(async () => {
    objects = kube();
    pg = await startPostgres();
    server = await startTestServer(inject('kubeconfig'), { databaseUrl: pg.url });
    admin = await ApiClient.signedIn(server.url, 'admin', testAdminPassword);
    expect((await admin.post('/api/v1/tenants', { metadata: { name: kept }, spec: {} })).status).toBe(201);
    await cached(admin, `/api/v1/tenants/${kept}`);
    await pg.stop();
  });

  afterAll(async () => {
    await server?.close();
    await pg?.stop();
    await Promise.all([kept, n('new')].map((t) => removeStored(objects, kinds.Tenant, t)));
  });

  const unavailable = {
    code: 503,
    reason: 'ServiceUnavailable',
    message: expect.stringContaining('audit log'),
  };

  it('refuses a create with 503, and nothing is created', async () => {
    const r = await admin.post('/api/v1/tenants', { metadata: { name: n('new') }, spec: {} });
    expect(r.status).toBe(503);
    expect(r.body).toEqual(unavailable);
    expect(await stored(objects, kinds.Tenant, n('new'))).toBeUndefined();
    expect((await admin.get(`/api/v1/tenants/${n('new')}`)).status).toBe(404);
  });

  it('refuses an update and a delete with 503, and nothing changes', async () => {
    const before = await stored(objects, kinds.Tenant, kept);
    expect(before).toBeDefined();
    const update = await admin.patch(`/api/v1/tenants/${kept}`, { spec: { displayName: 'changed' } });
    expect(update.status).toBe(503);
    expect(update.body).toEqual(unavailable);
    const del = await admin.del(`/api/v1/tenants/${kept}`);
    expect(del.status).toBe(503);
    expect(del.body).toEqual(unavailable);
    const after = await stored(objects, kinds.Tenant, kept);
    expect(after?.metadata.resourceVersion).toBe(before?.metadata.resourceVersion);
  });

  it('still serves reads, and says the audit log itself is unavailable', async () => {
    expect((await admin.get(`/api/v1/tenants/${kept}`)).status).toBe(200);
    const r = await admin.get('/api/v1/audit');
    expect(r.status).toBe(503);
    expect(r.body).toEqual(unavailable);
  });
});
