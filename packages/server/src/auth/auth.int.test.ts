// Sign-in, sessions, CSRF, API tokens, lockout and disabled users against a real server and management cluster.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  ApiClient,
  eventually,
  startTestServer,
  testAdminPassword,
  type TestServer,
} from '../testing/server.js';

let server: TestServer;
let admin: ApiClient;
const run = Date.now().toString(36);
const userName = (s: string) => `${s}-${run}`;

async function makeUser(name: string, password = 'correct-horse-battery') {
  const r = await admin.post('/api/v1/users', { metadata: { name }, spec: { displayName: name, password } });
  expect(r.status).toBe(201);
  return { name, password };
}

beforeAll(async () => {
  server = await startTestServer(inject('kubeconfig'), {
    loginGuard: { maxFailures: 3, lockMs: 60_000, maxPerAddress: 1000, addressWindowMs: 60_000 },
  });
  admin = await ApiClient.signedIn(server.url, 'admin', testAdminPassword);
});
afterAll(async () => {
  await server?.close();
});

describe('sign-in', () => {
  it('answers an unknown user and a wrong password with the same 401', async () => {
    const { name } = await makeUser(userName('ann'));
    const anon = new ApiClient(server.url);
    const wrong = await anon.login(name, 'not-the-password');
    const unknown = await anon.login(userName('nobody'), 'not-the-password');
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body).toEqual(unknown.body);
    expect(wrong.body).toEqual({
      code: 401,
      reason: 'Unauthorized',
      message: 'invalid username or password',
    });
  });

  it('gives an HttpOnly SameSite=Strict session cookie and a CSRF token required on mutations', async () => {
    const { name, password } = await makeUser(userName('bob'));
    const c = new ApiClient(server.url);
    const r = await c.login(name, password);
    expect(r.status).toBe(200);
    const cookie = r.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^shipyard_session=sys_/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    expect((await c.get('/api/v1/session')).body).toMatchObject({ user: name, csrfToken: c.csrf });
    const noCsrf = await c.request('POST', '/api/v1/tokens', { name: 'x' }, { 'x-csrf-token': 'wrong' });
    expect(noCsrf.status).toBe(403);
    expect(noCsrf.body).toMatchObject({
      reason: 'Forbidden',
      message: 'missing or wrong X-CSRF-Token header',
    });
    expect((await c.post('/api/v1/tokens', { name: 'ci' })).status).toBe(201);
    expect((await c.post('/api/v1/logout')).status).toBe(200);
    expect((await c.get('/api/v1/session')).status).toBe(401);
  });

  it('needs credentials everywhere but login, health and the OpenAPI document', async () => {
    const anon = new ApiClient(server.url);
    expect((await anon.get('/api/v1/tenants')).status).toBe(401);
    expect((await anon.get('/healthz')).status).toBe(200);
    expect((await anon.get('/readyz')).status).toBe(200);
    const spec = await anon.get<{ openapi: string; paths: Record<string, unknown> }>('/api/v1/openapi.json');
    expect(spec.body.openapi).toMatch(/^3\./);
    expect(Object.keys(spec.body.paths)).toEqual(
      expect.arrayContaining(['/api/v1/tenants', '/api/v1/tenants/{name}']),
    );
    const metrics = await fetch(`${server.url}/metrics`).then((r) => r.text());
    expect(metrics).toMatch(
      /shipyard_http_requests_total\{method="GET",route="\/api\/v1\/tenants",code="401"\}/,
    );
  });
});

describe('API tokens', () => {
  it('are shown once, work as Bearer, list without their secret, and stop at revoke', async () => {
    const made = await admin.post<{ id: string; token: string }>('/api/v1/tokens', { name: 'deploy' });
    expect(made.status).toBe(201);
    expect(made.body.token).toMatch(/^syt_[0-9a-f]{12}_/);
    const bearer = ApiClient.withToken(server.url, made.body.token);
    expect((await bearer.get('/api/v1/session')).body).toMatchObject({ user: 'admin' });
    expect(
      (await bearer.post('/api/v1/tenants', { metadata: { name: userName('tok') }, spec: {} })).status,
    ).toBe(201);
    const list = await admin.get<{ items: Record<string, unknown>[] }>('/api/v1/tokens');
    const listed = list.body.items.find((t) => t.id === made.body.id);
    expect(listed).toMatchObject({ name: 'deploy' });
    expect(JSON.stringify(list.body)).not.toContain(made.body.token.split('_').slice(2).join('_'));
    expect((await admin.del(`/api/v1/tokens/${made.body.id}`)).status).toBe(200);
    expect((await bearer.get('/api/v1/session')).status).toBe(401);
    await admin.del(`/api/v1/tenants/${userName('tok')}`);
  });

  it('expire', async () => {
    const made = await admin.post<{ token: string; expiresAt: string }>('/api/v1/tokens', {
      name: 'short',
      expiresInSeconds: 1,
    });
    const bearer = ApiClient.withToken(server.url, made.body.token);
    expect((await bearer.get('/api/v1/session')).status).toBe(200);
    await new Promise((r) => setTimeout(r, Date.parse(made.body.expiresAt) - Date.now() + 50));
    expect((await bearer.get('/api/v1/session')).status).toBe(401);
  });

  it('refuse forged and malformed tokens', async () => {
    for (const t of ['syt_000000000000_' + 'A'.repeat(43), 'garbage', 'sys_abc']) {
      expect((await ApiClient.withToken(server.url, t).get('/api/v1/session')).status).toBe(401);
    }
  });
});

describe('lockout', () => {
  it('locks an account after repeated failures, even for the right password, and says when to retry', async () => {
    const { name, password } = await makeUser(userName('carl'));
    const c = new ApiClient(server.url);
    for (let i = 0; i < 3; i++) expect((await c.login(name, 'wrong-password')).status).toBe(401);
    const locked = await c.login(name, password);
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(50);
    expect(locked.body).toMatchObject({ reason: 'TooManyRequests' });
    // The lock is in the user's status, so every replica honours it.
    const user = await admin.get<{ status: { lockedUntil?: string } }>(`/api/v1/users/${name}`);
    expect(Date.parse(user.body.status.lockedUntil ?? '')).toBeGreaterThan(Date.now());
    // An unknown name locks the same way: the answers do not tell which names exist.
    const ghost = userName('ghost');
    for (let i = 0; i < 3; i++) expect((await c.login(ghost, 'wrong-password')).status).toBe(401);
    expect((await c.login(ghost, 'wrong-password')).status).toBe(429);
  });
});

describe('lockout under parallel attempts', () => {
  // Opens n kept-alive connections first, so that the attempts leave at the same moment and arrive together.
  const warm = (base: string, n: number) =>
    Promise.all(Array.from({ length: n }, () => fetch(`${base}/healthz`).then((r) => r.text())));
  const shuffled = <T>(xs: T[]) =>
    xs
      .map((x) => ({ x, k: Math.random() }))
      .sort((a, b) => a.k - b.k)
      .map(({ x }) => x);

  it('verifies at most maxFailures of 20 simultaneous attempts, and the right one is refused after the lock', async () => {
    const { name, password } = await makeUser(userName('race'));
    await warm(server.url, 20);
    const guesses = shuffled([password, ...Array.from({ length: 19 }, (_, i) => `wrong-password-${i}`)]);
    const answers = await Promise.all(guesses.map((p) => new ApiClient(server.url).login(name, p)));
    const count = (status: number) => answers.filter((a) => a.status === status).length;
    const right = answers[guesses.indexOf(password)];
    expect(count(401) + count(200) + count(429)).toBe(20);
    if (right?.status === 200) {
      // The right one was among the first verified: the attempts in flight with it still count.
      expect(count(401)).toBeLessThanOrEqual(2 * 3 - 1);
    } else {
      // maxFailures is 3 on this server: no more attempts were even verified, then the account locked.
      expect(right?.status).toBe(429);
      expect(count(401)).toBeLessThanOrEqual(3);
      expect((await new ApiClient(server.url).login(name, password)).status).toBe(429);
      const user = await admin.get<{ status: { lockedUntil?: string } }>(`/api/v1/users/${name}`);
      expect(Date.parse(user.body.status.lockedUntil ?? '')).toBeGreaterThan(Date.now());
    }
  });

  it("counts an address's attempts before verifying them too", async () => {
    // Known users (whose passwords are verified) and unknown names, 20 attempts over them.
    const known = [(await makeUser(userName('ipa'))).name, (await makeUser(userName('ipb'))).name];
    const limited = await startTestServer(inject('kubeconfig'), {
      loginGuard: { maxFailures: 1000, lockMs: 60_000, maxPerAddress: 4, addressWindowMs: 60_000 },
    });
    try {
      const names = Array.from({ length: 20 }, (_, i) => known[i % 3] ?? userName(`ip${i}`));
      await warm(limited.url, 20);
      const answers = await Promise.all(
        names.map((n) => new ApiClient(limited.url).login(n, 'wrong-password')),
      );
      expect(answers.filter((a) => a.status === 401).length).toBe(4);
      expect(answers.filter((a) => a.status === 429).length).toBe(16);
      const refused = answers.find((a) => a.status === 429);
      expect(refused?.body).toMatchObject({ message: expect.stringMatching(/from this address/) });
    } finally {
      await limited.close();
    }
  });
});

describe('disabled users', () => {
  it('lose their sessions and tokens at once', async () => {
    const { name, password } = await makeUser(userName('dora'));
    const session = await ApiClient.signedIn(server.url, name, password);
    const made = await session.post<{ token: string }>('/api/v1/tokens', { name: 't' });
    const bearer = ApiClient.withToken(server.url, made.body.token);
    expect((await bearer.get('/api/v1/session')).status).toBe(200);
    expect((await admin.patch(`/api/v1/users/${name}`, { spec: { disabled: true } })).status).toBe(200);
    await eventually(
      'both refused',
      async () => {
        const [a, b] = await Promise.all([session.get('/api/v1/session'), bearer.get('/api/v1/session')]);
        return a.status === 401 && b.status === 401 ? true : undefined;
      },
      2000,
    );
    expect((await new ApiClient(server.url).login(name, password)).status).toBe(401);
  });
});

describe('users', () => {
  it('never return or store the password, and need one of at least 8 characters', async () => {
    const name = userName('eve');
    const short = await admin.post('/api/v1/users', { metadata: { name }, spec: { password: 'short' } });
    expect(short.status).toBe(422);
    expect(short.body).toMatchObject({ field: 'spec.password' });
    expect((await admin.get(`/api/v1/users/${name}`)).status).toBe(404);
    const { password } = await makeUser(name);
    const got = await admin.get<{ spec: object }>(`/api/v1/users/${name}`);
    expect(JSON.stringify(got.body)).not.toContain(password);
    expect(got.body.spec).not.toHaveProperty('password');
    const ready = await eventually('user Ready', async () => {
      const u = await admin.get<{ status?: { conditions?: { type: string; status: string }[] } }>(
        `/api/v1/users/${name}`,
      );
      return u.body.status?.conditions?.find((c) => c.type === 'Ready' && c.status === 'True');
    });
    expect(ready).toBeDefined();
    const changed = await admin.patch(`/api/v1/users/${name}`, {
      spec: { password: 'a-brand-new-password' },
    });
    expect(changed.status).toBe(200);
    expect((await new ApiClient(server.url).login(name, password)).status).toBe(401);
    expect((await new ApiClient(server.url).login(name, 'a-brand-new-password')).status).toBe(200);
  });
});

describe('bad input', () => {
  it('gets a clear error and writes nothing', async () => {
    const name = userName('bad');
    const invalid = await admin.post('/api/v1/tenants', {
      metadata: { name },
      spec: { clusters: [{ cluster: 'c1', hard: { 'requests.cpu': '-1' } }] },
    });
    expect(invalid.status).toBe(422);
    expect(invalid.body).toEqual({
      code: 422,
      reason: 'Invalid',
      field: 'spec.clusters[0].hard["requests.cpu"]',
      message: 'spec.clusters[0].hard["requests.cpu"]: must be a quantity such as 500m, 2, 10Gi',
    });
    expect((await admin.get(`/api/v1/tenants/${name}`)).status).toBe(404);
    expect((await admin.request('POST', '/api/v1/tenants', '{"metadata":')).status).toBe(400);
    const big = await admin.request('POST', '/api/v1/tenants', {
      metadata: { name },
      spec: { description: 'x'.repeat(1100 * 1024) },
    });
    expect(big.status).toBe(413);
    expect((await admin.get('/api/v1/nothing-here')).body).toMatchObject({ code: 404, reason: 'NotFound' });
    expect((await admin.get('/api/v1/tenants?pageSize=5000')).status).toBe(400);
    expect(
      (await admin.post('/api/v1/tenants', { metadata: { name: 'Bad_Name' }, spec: {} })).body,
    ).toMatchObject({
      code: 422,
      field: 'metadata.name',
    });
  });
});
