/**
 * The web console at `/`: the build of packages/web (`npm run setup` makes packages/web/dist), served as a
 * single-page app. Hashed assets are cached for good; any other GET that is not the API's (`/api`, `/k8s`)
 * gets index.html, so the console's own routes (/clusters/qa) load on refresh. The build is looked up on each
 * request: one made while the server runs is served at once, and without one `/` says how to make it.
 * The build has a gzip and a brotli copy beside each larger file (packages/web/build/precompress.ts): the one
 * the request's Accept-Encoding prefers goes with Content-Encoding (brotli first), the file itself otherwise.
 * Every route here is public: the console signs in through the API, which guards everything it serves.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fastifyStatic } from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { notFound } from './errors.js';

/** Where the web package builds to, beside this package in the repository (and in the image). */
export const defaultConsoleDir = fileURLToPath(new URL('../../../web/dist', import.meta.url));

/** Paths that belong to the API: unknown ones stay JSON 404s, never the console's page. */
const apiPath = /^\/(api|k8s)(\/|$)/;
/** A file at the top of the build (favicon.svg), not a dot file. */
const topLevelFile = /^\/([\w-][\w.-]*\.\w+)$/;

/** The console's page may run only its own scripts, and talk only to this server (fetch and WebSocket). */
const pageHeaders = {
  'cache-control': 'no-cache',
  // antd writes its styles into <style> elements at run time: inline styles are needed, inline scripts are not.
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
    "font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'same-origin',
};

const notBuilt = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Shipyard</title></head>
<body style="font-family: sans-serif; max-width: 40em; margin: 4em auto; line-height: 1.5">
<h1>Shipyard</h1>
<p>The API is up, but the web console is not built yet. In the repository, run</p>
<pre>npm run setup</pre>
<p>(or only the console: <code>npm run build -w @shipyard/web</code>), then reload this page.</p>
<p>The API is at <a href="/api/v1/openapi.json">/api/v1/openapi.json</a>.</p>
</body></html>
`;

export async function registerConsole(app: FastifyInstance, dir = defaultConsoleDir): Promise<void> {
  // Only reply.sendFile: the routes are ours, so that they can be public and leave the API's paths alone.
  await app.register(fastifyStatic, { root: dir, serve: false, preCompressed: true });
  const built = () => existsSync(path.join(dir, 'index.html'));
  const page = (reply: FastifyReply) => {
    if (!built()) return reply.code(503).type('text/html; charset=utf-8').send(notBuilt);
    return reply.headers(pageHeaders).sendFile('index.html', dir, { cacheControl: false });
  };
  const route = { config: { public: true }, schema: { hide: true } };

  app.get('/assets/*', route, async (req, reply) => {
    const file = (req.params as { '*': string })['*'];
    return reply
      .header('x-content-type-options', 'nosniff')
      .sendFile(file, path.join(dir, 'assets'), { immutable: true, maxAge: '365d' });
  });
  app.get('/', route, async (_req, reply) => page(reply));
  app.get('/*', route, async (req, reply) => {
    const url = req.url.split('?')[0] ?? '/';
    if (apiPath.test(url)) throw notFound(`no route GET ${url}`);
    const file = topLevelFile.exec(url)?.[1];
    if (file && isFile(path.join(dir, file))) return reply.sendFile(file, dir, { maxAge: '1h' });
    return page(reply);
  });
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}
