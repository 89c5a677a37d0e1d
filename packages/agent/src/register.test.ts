/** Registration against a real local HTTP server standing in for the server's register route. */
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentError, CredentialRefused } from './errors.js';
import { register, REGISTRATION_REFUSED, type RegisterOptions } from './register.js';

const SYR = `syr_0123456789ab_${'r'.repeat(43)}`;
const SYA = `sya_0123456789ab_${'a'.repeat(43)}`;

/** Answers each request with the next of `answers` (the last repeats); records what it got. */
let answers: { status: number; body?: unknown }[] = [];
const got: { url?: string; authorization?: string; body: unknown }[] = [];
const server = http.createServer((req, res) => {
  let text = '';
  req.setEncoding('utf8').on('data', (c: string) => (text += c));
  req.on('end', () => {
    got.push({ url: req.url, authorization: req.headers.authorization, body: JSON.parse(text) as unknown });
    const next = answers.length > 1 ? answers.shift() : answers[0];
    if (next?.status === 0) return void req.socket.destroy();
    res.writeHead(next?.status ?? 500, { 'content-type': 'application/json' });
    res.end(JSON.stringify(next?.body ?? {}));
  });
});

let opts: RegisterOptions;
beforeAll(async () => {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  opts = {
    server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    registrationToken: SYR,
    access: {
      apiServer: { host: '127.0.0.1', port: 34097 },
      caData: 'Q0E=',
      serviceAccountToken: 'sa-token',
    },
    backoff: { baseMs: 20, maxMs: 50 },
  };
});
afterAll(() => server.close());

describe('register', () => {
  it('posts the contract body with the registration token, and takes {cluster, agentToken}', async () => {
    answers = [{ status: 201, body: { cluster: 'east', agentToken: SYA } }];
    got.length = 0;
    await expect(register(opts)).resolves.toEqual({ cluster: 'east', agentToken: SYA });
    expect(got).toEqual([
      {
        url: '/api/v1/agent/register',
        authorization: `Bearer ${SYR}`,
        body: {
          apiServer: { host: '127.0.0.1', port: 34097, caData: 'Q0E=' },
          serviceAccountToken: 'sa-token',
        },
      },
    ]);
  });

  it('retries a failing or unreachable server with backoff, saying so', async () => {
    answers = [
      { status: 503, body: { message: 'starting' } },
      { status: 0 },
      { status: 201, body: { cluster: 'east', agentToken: SYA } },
    ];
    const lines: string[] = [];
    await expect(register({ ...opts, say: (l) => lines.push(l) })).resolves.toMatchObject({
      cluster: 'east',
    });
    expect(lines).toEqual([
      expect.stringMatching(/failed: 503: starting; retrying in 0\.\d s$/),
      expect.stringMatching(/cannot register at .*: socket hang up; retrying in 0\.\d s$/),
    ]);
  });

  it('gives up for good on 401, with one line that says what to do', async () => {
    answers = [{ status: 401, body: { code: 401, reason: 'Unauthorized', message: 'expired' } }];
    const err = await register(opts).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CredentialRefused);
    expect((err as Error).message).toBe(REGISTRATION_REFUSED);
  });

  it("reports a refused body with the server's message, and a malformed answer", async () => {
    answers = [
      { status: 422, body: { code: 422, reason: 'Invalid', message: 'apiServer.caData is not PEM' } },
    ];
    await expect(register(opts)).rejects.toThrow(
      new AgentError('the server refused the registration (422: apiServer.caData is not PEM)'),
    );
    answers = [{ status: 201, body: { cluster: 'east', agentToken: SYR } }];
    await expect(register(opts)).rejects.toThrow(/without a cluster and an agent token/);
  });

  it('stops retrying when stopped', async () => {
    answers = [{ status: 503 }];
    const stop = new AbortController();
    const pending = register({ ...opts, backoff: { baseMs: 60_000, maxMs: 60_000 }, signal: stop.signal });
    await new Promise((r) => setTimeout(r, 100));
    stop.abort();
    await expect(pending).resolves.toBeUndefined();
  });
});
