// Users that other objects name, through the real API over a real management cluster: a group member or a
// binding's User subject must be a user (422 naming the field), and a deleted user takes their memberships and
// bindings along, so a user made later under the name starts with nothing.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ApiClient, eventually, startTestServer, type Reply, type TestServer } from '../testing/server.js';

const run = Date.now().toString(36);
const n = (s: string) => `ur-${s}-${run}`;
const password = 'user-references-password';

let server: TestServer;
let admin: ApiClient;
/** What the tests made, removed after the file (users last: their deletion cleans up after them too). */
const made: string[] = [];

async function created(plural: string, name: string, spec: object): Promise<void> {
  const r = await admin.post(`/api/v1/${plural}`, { metadata: { name }, spec });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  made.push(`/api/v1/${plural}/${name}`);
}

const invalidAt = (r: Reply, field: string, name: string) => {
  expect(r.status).toBe(422);
  expect(r.body).toEqual({ code: 422, reason: 'Invalid', field, message: `user "${name}" does not exist` });
};

const template = n('nothing');
beforeAll(async () => {
  server = await startTestServer(inject('kubeconfig'));
  admin = await ApiClient.asAdmin(server.url);
  // A template that grants nothing, to bind at the platform without giving anyone anything.
  await created('roletemplates', template, { level: 'platform', rules: [] });
  await created('users', n('ann'), { password });
});
afterAll(async () => {
  if (admin) {
    const order = [...made].sort((a, b) => Number(a.includes('/users/')) - Number(b.includes('/users/')));
    for (const url of order) expect([200, 404]).toContain((await admin.del(url)).status);
  }
  await server?.close();
});

const binding = (name: string, user: string) => ({
  metadata: { name },
  spec: { subject: { kind: 'User', name: user }, roleTemplate: template, scope: { level: 'platform' } },
});

describe('names of users', () => {
  it('refuse a group member that names no user, on create and when one is added', async () => {
    const ghost = n('ghost');
    const g = n('g1');
    const r = await admin.post('/api/v1/groups', {
      metadata: { name: g },
      spec: { members: [n('ann'), ghost] },
    });
    invalidAt(r, 'spec.members[1]', ghost);
    expect((await admin.get(`/api/v1/groups/${g}`)).status).toBe(404);
    await created('groups', g, { members: [n('ann')] });
    invalidAt(
      await admin.patch(`/api/v1/groups/${g}`, { spec: { members: [n('ann'), ghost] } }),
      'spec.members[1]',
      ghost,
    );
  });

  it('refuse a binding to a user that does not exist', async () => {
    const ghost = n('ghost');
    invalidAt(
      await admin.post('/api/v1/roletemplatebindings', binding(n('b1'), ghost)),
      'spec.subject.name',
      ghost,
    );
    expect((await admin.get(`/api/v1/roletemplatebindings/${n('b1')}`)).status).toBe(404);
  });
});

describe('a deleted user', () => {
  it('takes their memberships and bindings along; a user made later under the name starts with none', async () => {
    const bea = n('bea');
    await created('users', bea, { password });
    const g = n('g2');
    await created('groups', g, { members: [bea, n('ann')] });
    const b = n('b2');
    const r = await admin.post('/api/v1/roletemplatebindings', binding(b, bea));
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    made.push(`/api/v1/roletemplatebindings/${b}`);
    expect((await admin.del(`/api/v1/users/${bea}`)).status).toBe(200);

    await eventually('the binding is gone', async () =>
      (await admin.get(`/api/v1/roletemplatebindings/${b}`)).status === 404 ? true : undefined,
    );
    await eventually('the membership is gone', async () => {
      const got = await admin.get<{ spec: { members: string[] } }>(`/api/v1/groups/${g}`);
      return got.body.spec.members.join() === n('ann') ? true : undefined;
    });

    await created('users', bea, { password });
    const again = await ApiClient.signedIn(server.url, bea, password);
    const session = await again.get<{ groups: string[]; grants: unknown[] }>('/api/v1/session');
    expect([session.body.groups, session.body.grants]).toEqual([[], []]);
  });
});
