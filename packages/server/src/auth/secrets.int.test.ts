// Secrets stay secret: session cookies are Secure over the HTTPS listener and HTTPS answers send HSTS; no
// password, token or cookie reaches a log line, whatever the server logs (at trace level here).
import https from 'node:https';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ApiClient, startTestServer, testAdminPassword, type TestServer } from '../testing/server.js';

let server: TestServer;
let admin: ApiClient;
const logged: string[] = [];
const run = Date.now().toString(36);

/** A request to the HTTPS listener, trusting the platform's CA. */
function overTls(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const url = new URL(server.tlsUrl + path);
  const data = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = https.request(
      url,
      {
        method,
        ca: server.ca,
        headers: data
          ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) }
          : {},
      },
      (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

beforeAll(async () => {
  const stream = new PassThrough();
  stream.on('data', (d: Buffer) => logged.push(d.toString()));
  server = await startTestServer(inject('kubeconfig'), { logLevel: 'trace', logStream: stream });
  admin = await ApiClient.asAdmin(server.url);
});
afterAll(async () => {
  await server?.close();
});

describe('over HTTPS', () => {
  it('gives a Secure session cookie and sends Strict-Transport-Security', async () => {
    const r = await overTls('POST', '/api/v1/login', { username: 'admin', password: testAdminPassword });
    expect(r.status).toBe(200);
    const cookie = String(r.headers['set-cookie'] ?? '');
    expect(cookie).toMatch(/^shipyard_session=sys_/);
    expect(cookie).toMatch(/;\s*Secure/i);
    expect(r.headers['strict-transport-security']).toMatch(/^max-age=\d{7,}/);
    // Every answer over HTTPS, refusals too.
    expect((await overTls('GET', '/api/v1/tenants')).headers['strict-transport-security']).toBeDefined();
  });

  it('but over plain HTTP the cookie is not Secure (the browser would drop it) and no HSTS is sent', async () => {
    const r = await new ApiClient(server.url).login('admin', testAdminPassword);
    expect(r.status).toBe(200);
    expect(r.headers.get('set-cookie')).not.toMatch(/Secure/i);
    expect(r.headers.get('strict-transport-security')).toBeNull();
  });
});

describe('the server log', () => {
  it('holds no password, token, cookie or CSRF token after sign-ins, failures and token use', async () => {
    const name = `logged-${run}`;
    const password = `pw-${run}-right-one`;
    const wrong = `pw-${run}-wrong-one`;
    expect((await admin.post('/api/v1/users', { metadata: { name }, spec: { password } })).status).toBe(201);
    const user = new ApiClient(server.url);
    expect((await user.login(name, wrong)).status).toBe(401);
    expect((await user.login(name, password)).status).toBe(200);
    const changed = `pw-${run}-changed`;
    expect((await admin.patch(`/api/v1/users/${name}`, { spec: { password: changed } })).status).toBe(200);
    const made = await admin.post<{ token: string }>('/api/v1/tokens', { name: 'logged' });
    const bearer = ApiClient.withToken(server.url, made.body.token);
    expect((await bearer.get('/api/v1/session')).status).toBe(200);
    // A body that is not JSON, with a password in it: the parse error quotes the body.
    const broken = await bearer.request('POST', '/api/v1/login', `{"username":"x","password":"${wrong}`);
    expect(broken.status).toBe(400);
    const forged = `${made.body.token.slice(0, -4)}AAAA`;
    expect((await ApiClient.withToken(server.url, forged).get('/api/v1/session')).status).toBe(401);
    await admin.del(`/api/v1/users/${name}`);
    await new Promise((r) => setTimeout(r, 200));

    const text = logged.join('');
    // The requests were logged (so the log was looked at)…
    expect(text).toContain('/api/v1/login');
    expect(text).toContain('/api/v1/session');
    // …and no secret with them.
    const secrets = {
      password,
      wrong,
      changed,
      adminPassword: testAdminPassword,
      token: made.body.token,
      // <prefix>_<id>_<secret>; the secret is base64url, so it may hold '_' itself.
      tokenSecret: made.body.token.split('_').slice(2).join('_'),
      forged,
      cookie: (user.cookie ?? '').split('=')[1] ?? '',
      adminCookie: (admin.cookie ?? '').split('=')[1] ?? '',
      csrf: user.csrf ?? '',
    };
    for (const [what, secret] of Object.entries(secrets)) {
      expect(secret.length, what).toBeGreaterThan(8);
      expect(text.includes(secret), `${what} in the log`).toBe(false);
    }
  });
});
