// The console at `/`: files, the SPA fallback, the API's paths left alone, and a missing build explained.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { registerConsole } from './console.js';
import { registerErrorHandling } from './error-handler.js';

let dir: string;
let app: FastifyInstance;

async function serve(root: string): Promise<FastifyInstance> {
  const a = Fastify();
  registerErrorHandling(a);
  a.get('/api/v1/session', async () => ({ user: 'x' }));
  await registerConsole(a, root);
  await a.ready();
  return a;
}

function build(root: string): void {
  mkdirSync(path.join(root, 'assets'), { recursive: true });
  writeFileSync(path.join(root, 'index.html'), '<!doctype html><div id="root"></div>');
  writeFileSync(path.join(root, 'assets', 'index-abc123.js'), 'console.log(1)');
  writeFileSync(path.join(root, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  writeFileSync(path.join(root, '.build-stamp'), 'secret-ish');
}

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'console-'));
});
afterEach(async () => {
  await app?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('registerConsole', () => {
  it("serves the build, with index.html for the console's own routes", async () => {
    build(dir);
    app = await serve(dir);
    for (const url of ['/', '/clusters', '/clusters/qa?tab=events', '/login?next=%2Fnodes']) {
      const r = await app.inject({ url });
      expect(r.statusCode, url).toBe(200);
      expect(r.body).toContain('<div id="root">');
      expect(r.headers['cache-control']).toBe('no-cache');
      expect(r.headers['content-security-policy']).toContain("script-src 'self'");
      expect(r.headers['x-frame-options']).toBe('DENY');
    }
    const js = await app.inject({ url: '/assets/index-abc123.js' });
    expect(js.statusCode).toBe(200);
    expect(js.headers['content-type']).toContain('javascript');
    expect(js.headers['cache-control']).toContain('immutable');
    const icon = await app.inject({ url: '/favicon.svg' });
    expect(icon.headers['content-type']).toContain('image/svg+xml');
    // A dot file is not served: the page comes back instead.
    expect((await app.inject({ url: '/.build-stamp' })).body).not.toContain('secret-ish');
  });

  it("leaves the API's paths and missing assets as JSON 404s", async () => {
    build(dir);
    app = await serve(dir);
    expect((await app.inject({ url: '/api/v1/session' })).json()).toEqual({ user: 'x' });
    for (const url of ['/api/v1/nope', '/api', '/k8s/clusters/x/api', '/assets/missing.js']) {
      const r = await app.inject({ url });
      expect(r.statusCode, url).toBe(404);
      expect(r.json(), url).toMatchObject({ code: 404, reason: 'NotFound' });
    }
    expect((await app.inject({ url: '/api/v1/nope?x=1' })).json().message).toBe('no route GET /api/v1/nope');
    expect((await app.inject({ url: '/clusters', method: 'POST' })).statusCode).toBe(404);
  });

  it('says how to build the console when there is no build, and serves one made later', async () => {
    const missing = path.join(dir, 'dist');
    app = await serve(missing);
    const r = await app.inject({ url: '/' });
    expect(r.statusCode).toBe(503);
    expect(r.headers['content-type']).toContain('text/html');
    expect(r.body).toContain('npm run setup');
    expect((await app.inject({ url: '/clusters' })).body).toContain('npm run setup');
    build(missing);
    expect((await app.inject({ url: '/clusters' })).body).toContain('<div id="root">');
  });

  it('sends the precompressed copy the request accepts (brotli first), and the file itself otherwise', async () => {
    build(dir);
    const js = Buffer.from('export const words = "' + 'shipyard '.repeat(2000) + '";\n');
    const file = path.join(dir, 'assets', 'index-big.js');
    writeFileSync(file, js);
    writeFileSync(`${file}.gz`, gzipSync(js));
    writeFileSync(`${file}.br`, brotliCompressSync(js));
    const page = Buffer.from('<!doctype html><div id="root"></div>' + '<!-- pad -->'.repeat(200));
    writeFileSync(path.join(dir, 'index.html'), page);
    writeFileSync(path.join(dir, 'index.html.gz'), gzipSync(page));
    app = await serve(dir);
    const url = '/assets/index-big.js';

    const br = await app.inject({ url, headers: { 'accept-encoding': 'gzip, deflate, br' } });
    expect(br.statusCode).toBe(200);
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers['content-type']).toContain('javascript');
    expect(br.headers['vary']).toContain('accept-encoding');
    expect(br.headers['cache-control']).toContain('immutable');
    expect(brotliDecompressSync(br.rawPayload).equals(js)).toBe(true);
    expect(br.rawPayload.length).toBeLessThan(js.length / 10);

    const gz = await app.inject({ url, headers: { 'accept-encoding': 'gzip' } });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.rawPayload).equals(js)).toBe(true);

    for (const headers of [{}, { 'accept-encoding': 'identity' }]) {
      const plain = await app.inject({ url, headers });
      expect(plain.headers['content-encoding']).toBeUndefined();
      expect(plain.rawPayload.equals(js)).toBe(true);
    }

    // The page too, on any of the console's routes; with no brotli copy, brotli-first clients get gzip.
    const index = await app.inject({ url: '/clusters', headers: { 'accept-encoding': 'br, gzip' } });
    expect(index.headers['content-encoding']).toBe('gzip');
    expect(index.headers['content-security-policy']).toContain("script-src 'self'");
    expect(gunzipSync(index.rawPayload).equals(page)).toBe(true);
    // A file with no compressed copy goes as it is.
    const small = await app.inject({ url: '/assets/index-abc123.js', headers: { 'accept-encoding': 'br' } });
    expect(small.headers['content-encoding']).toBeUndefined();
    expect(small.body).toBe('console.log(1)');
  });
});
