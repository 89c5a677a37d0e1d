import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defaultConfig, startServer, type RunningServer, type ServerConfig } from '../server.js';

export const testAdminPassword = 'test-admin-password';

export type TestServer = RunningServer & { dataDir: string; close: () => Promise<void> };

/**
 * A real server in this process against the run's local management cluster, on a free port, with its own
 * data dir. Every test server shares the namespace and admin password, so files can follow one another.
 */
export async function startTestServer(
  kubeconfig: string,
  overrides: Partial<ServerConfig> = {},
): Promise<TestServer> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'shipyard-test-'));
  const server = await startServer({
    ...defaultConfig,
    kubeconfig,
    port: 0,
    tlsPort: 0,
    dataDir,
    adminPassword: testAdminPassword,
    logLevel: process.env.SHIPYARD_TEST_LOG_LEVEL ?? 'warn',
    ...overrides,
  });
  return {
    ...server,
    dataDir,
    close: async () => {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export type Reply<T = unknown> = { status: number; body: T; headers: Headers };

/** A client of the API as a browser (session cookie + CSRF) or a script (bearer token) uses it. */
export class ApiClient {
  cookie?: string;
  csrf?: string;
  token?: string;

  constructor(readonly base: string) {}

  async request<T = Record<string, unknown>>(
    method: string,
    url: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Reply<T>> {
    const h: Record<string, string> = { ...headers };
    if (body !== undefined) h['content-type'] ??= 'application/json';
    if (this.cookie) h.cookie = this.cookie;
    if (this.csrf && method !== 'GET') h['x-csrf-token'] ??= this.csrf;
    if (this.token) h.authorization = `Bearer ${this.token}`;
    const res = await fetch(this.base + url, {
      method,
      headers: h,
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T, headers: res.headers };
  }

  get = <T = Record<string, unknown>>(url: string) => this.request<T>('GET', url);
  post = <T = Record<string, unknown>>(url: string, body?: unknown) =>
    this.request<T>('POST', url, body ?? {});
  put = <T = Record<string, unknown>>(url: string, body: unknown) => this.request<T>('PUT', url, body);
  patch = <T = Record<string, unknown>>(url: string, body: unknown) => this.request<T>('PATCH', url, body);
  del = <T = Record<string, unknown>>(url: string) => this.request<T>('DELETE', url);

  /** Signs in with a password; keeps the session cookie and CSRF token. */
  async login(username: string, password: string): Promise<Reply> {
    const r = await this.request('POST', '/api/v1/login', { username, password });
    const setCookie = r.headers.get('set-cookie');
    if (r.status === 200 && setCookie) {
      this.cookie = setCookie.split(';')[0];
      this.csrf = (r.body as { csrfToken: string }).csrfToken;
    }
    return r;
  }

  static async signedIn(base: string, username: string, password: string): Promise<ApiClient> {
    const c = new ApiClient(base);
    const r = await c.login(username, password);
    if (r.status !== 200) throw new Error(`login ${username}: ${r.status} ${JSON.stringify(r.body)}`);
    return c;
  }

  /** Signs in as the admin that every test server has (testAdminPassword). */
  static asAdmin(base: string): Promise<ApiClient> {
    return ApiClient.signedIn(base, 'admin', testAdminPassword);
  }

  static withToken(base: string, token: string): ApiClient {
    const c = new ApiClient(base);
    c.token = token;
    return c;
  }
}

/** Polls until check() returns a value (not undefined), or fails after timeoutMs. */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
