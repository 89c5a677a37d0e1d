// What the API refuses of a body, through the real server over a real management cluster: a field no schema
// knows (as kubectl's strict field validation), a label Kubernetes would refuse, a tenant quota on a cluster
// that does not exist, spec.builtin; and that who is not signed in hears 401 before anything about the body,
// and that a DELETE may come with an empty JSON body.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ApiClient, eventually, startTestServer, type Reply, type TestServer } from '../testing/server.js';

const run = Date.now().toString(36);
const n = (s: string) => `si-${s}-${run}`;

let server: TestServer;
let admin: ApiClient;
const made: string[] = [];

async function created(plural: string, name: string, spec: object): Promise<void> {
  const r = await admin.post(`/api/v1/${plural}`, { metadata: { name }, spec });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  made.push(`/api/v1/${plural}/${name}`);
}

const refused = (r: Reply, field: string, message: string | RegExp = `unknown field "${field}"`) => {
  expect(r.body).toEqual({
    code: 422,
    reason: 'Invalid',
    field,
    message: typeof message === 'string' ? message : expect.stringMatching(message),
  });
  expect(r.status).toBe(422);
};

const cluster = n('c');
beforeAll(async () => {
  server = await startTestServer(inject('kubeconfig'));
  admin = await ApiClient.asAdmin(server.url);
  await created('clusters', cluster, {});
});
afterAll(async () => {
  if (admin) for (const url of made.reverse()) expect([200, 404]).toContain((await admin.del(url)).status);
  await server?.close();
});

describe('unknown fields', () => {
  it('are refused with 422 naming them, at every level, on create, replace and patch', async () => {
    const tenant = n('t1');
    const spec = { clusters: [{ cluster, hard: { 'requests.cpu': '1' } }] };
    refused(
      await admin.post('/api/v1/tenants', { metadata: { name: tenant }, spec: { ...spec, foo: 1 } }),
      'spec.foo',
    );
    refused(
      await admin.post('/api/v1/tenants', {
        metadata: { name: tenant },
        spec: { clusters: [{ cluster, hard: {}, loadBalancer: { l7: true, l9: true } }] },
      }),
      'spec.clusters[0].loadBalancer.l9',
    );
    refused(
      await admin.post('/api/v1/tenants', { metadata: { name: tenant, labelz: {} }, spec }),
      'metadata.labelz',
    );
    refused(await admin.post('/api/v1/tenants', { metadata: { name: tenant }, spec, extra: true }), 'extra');
    expect((await admin.get(`/api/v1/tenants/${tenant}`)).status).toBe(404);

    await created('tenants', tenant, spec);
    // What a GET answers goes back as it is (metadata, status); a controller's status write in between is a 409.
    const got = await eventually('a GET put back as it is', async () => {
      const g = await admin.get<Record<string, unknown>>(`/api/v1/tenants/${tenant}`);
      const put = await admin.put(`/api/v1/tenants/${tenant}`, g.body);
      expect([200, 409], JSON.stringify(put.body)).toContain(put.status);
      return put.status === 200 ? g : undefined;
    });
    refused(
      await admin.put(`/api/v1/tenants/${tenant}`, { ...got.body, spec: { ...spec, quota: 1 } }),
      'spec.quota',
    );
    refused(
      await admin.patch(`/api/v1/tenants/${tenant}`, { spec: { displayName: 'x', colour: 'red' } }),
      'spec.colour',
    );
    expect((await admin.patch(`/api/v1/tenants/${tenant}`, { spec: { displayName: 'T' } })).status).toBe(200);
  });

  it("still take a user's password, which is never stored", async () => {
    const name = n('ann');
    await created('users', name, { password: 'strict-input-password', displayName: 'Ann' });
    const got = await admin.get<{ spec: Record<string, unknown> }>(`/api/v1/users/${name}`);
    expect(got.body.spec).not.toHaveProperty('password');
    expect((await new ApiClient(server.url).login(name, 'strict-input-password')).status).toBe(200);
    refused(await admin.patch(`/api/v1/users/${name}`, { spec: { passwd: 'x' } }), 'spec.passwd');
  });

  it('leave the OpenAPI document whole', async () => {
    const r = await admin.get<{ paths: Record<string, unknown> }>('/api/v1/openapi.json');
    expect(r.status).toBe(200);
    expect(Object.keys(r.body.paths)).toContain('/api/v1/tenants');
  });
});

describe('other refusals name the field', () => {
  it('a label or annotation Kubernetes would refuse', async () => {
    const post = (metadata: object) =>
      admin.post('/api/v1/groups', { metadata: { name: n('g'), ...metadata }, spec: {} });
    refused(
      await post({ labels: { 'bad key!': 'x' } }),
      'metadata.labels["bad key!"]',
      /^metadata\.labels\["bad key!"\]: key must be/,
    );
    refused(
      await post({ labels: { team: 'x'.repeat(64) } }),
      'metadata.labels.team',
      /too big|at most|64|63/i,
    );
    refused(await post({ annotations: { 'a/b/c': 'x' } }), 'metadata.annotations["a/b/c"]', /key must be/);
  });

  it('a tenant quota on a cluster that does not exist', async () => {
    const spec = {
      clusters: [
        { cluster, hard: {} },
        { cluster: n('nowhere'), hard: {} },
      ],
    };
    const r = await admin.post('/api/v1/tenants', { metadata: { name: n('t2') }, spec });
    refused(r, 'spec.clusters[1].cluster', `cluster "${n('nowhere')}" does not exist`);
  });

  it('spec.builtin, which only the platform sets, and bind below the platform level', async () => {
    for (const builtin of [true, false]) {
      const r = await admin.post('/api/v1/roletemplates', {
        metadata: { name: n('fake') },
        spec: { level: 'tenant', rules: [], builtin },
      });
      refused(r, 'spec.builtin', /only the platform/);
    }
    const bind = { apiGroups: ['shipyard.dev'], resources: ['roletemplates'], verbs: ['bind'] };
    const r = await admin.post('/api/v1/roletemplates', {
      metadata: { name: n('binder') },
      spec: { level: 'tenant', rules: [bind] },
    });
    refused(r, 'spec.rules[0].verbs', /platform level only/);
    expect((await admin.get(`/api/v1/roletemplates/${n('fake')}`)).status).toBe(404);
  });
});

describe('who is not signed in', () => {
  it('hears 401 before anything about the body, on every write', async () => {
    const anon = new ApiClient(server.url);
    const bad = { metadata: { name: 'Not_A_Name' }, spec: { foo: 1 } };
    const unauthorized = { code: 401, reason: 'Unauthorized', message: 'authentication required' };
    for (const [method, url, body] of [
      ['POST', '/api/v1/tenants', bad],
      ['POST', '/api/v1/tenants', '{"not json'],
      ['PUT', `/api/v1/clusters/${cluster}`, bad],
      ['PATCH', `/api/v1/clusters/${cluster}`, '[1,'],
      ['DELETE', `/api/v1/clusters/${cluster}`, undefined],
    ] as const) {
      const r = await anon.request(method, url, body);
      expect([method, r.status, r.body]).toEqual([method, 401, unauthorized]);
    }
  });
});

describe('DELETE', () => {
  it('takes an empty JSON body, or {}', async () => {
    for (const body of ['', '{}']) {
      const name = n(`del${body.length}`);
      await created('groups', name, {});
      const r = await admin.request('DELETE', `/api/v1/groups/${name}`, body, {
        'content-type': 'application/json',
      });
      expect([r.status, r.body]).toEqual([200, expect.objectContaining({ kind: 'Group' })]);
    }
  });
});
