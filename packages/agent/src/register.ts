/**
 * Registration: the agent exchanges its one-time registration token (syr_) for its agent token (sya_),
 * telling the server how to reach the API server through the tunnel (address, CA) and as whom (the
 * ServiceAccount token). POST {server}/api/v1/agent/register → 201 {cluster, agentToken}.
 * A refused token is final (CredentialRefused); an unreachable or failing server is retried with backoff.
 */
import http from 'node:http';
import https from 'node:https';
import { isAgentToken } from './agent-token.js';
import type { ClusterAccess } from './cluster-access.js';
import { AgentError, CredentialRefused } from './errors.js';
import { defaultBackoff, reconnectDelay, type ReconnectBackoff } from './reconnect-backoff.js';
import { registerUrl } from './tunnel-url.js';

export interface Registration {
  cluster: string;
  agentToken: string;
}

export interface RegisterOptions {
  /** The server's base URL. */
  server: string;
  registrationToken: string;
  access: ClusterAccess;
  /** PEM of the CA the server's certificate must chain to; the system roots when absent. */
  ca?: string | Buffer;
  backoff?: ReconnectBackoff;
  /** Per attempt (default 15 s). */
  timeoutMs?: number;
  /** Gives up between or during attempts: register() then resolves undefined. */
  signal?: AbortSignal;
  /** Each failed attempt, as a line a person can read. */
  say?: (line: string) => void;
}

export const REGISTRATION_REFUSED =
  'the server refused the registration token: it is unknown, expired or already used; ask for a new one';

/** A failure worth another try: no answer, a timeout, or the server failing (5xx, 429). */
class Retryable extends Error {}

/** Registers, retrying with backoff and jitter until it succeeds, is refused, or is stopped (undefined). */
export async function register(opts: RegisterOptions): Promise<Registration | undefined> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await registerOnce(opts);
    } catch (e) {
      if (opts.signal?.aborted) return undefined;
      if (!(e instanceof Retryable)) throw e;
      const delay = reconnectDelay(attempt, opts.backoff ?? defaultBackoff);
      opts.say?.(`${e.message}; retrying in ${(delay / 1000).toFixed(1)} s`);
      if (!(await sleep(delay, opts.signal))) return undefined;
    }
  }
}

/** One attempt. */
export async function registerOnce(opts: RegisterOptions): Promise<Registration> {
  const url = registerUrl(opts.server);
  const body = {
    apiServer: {
      host: opts.access.apiServer.host,
      port: opts.access.apiServer.port,
      caData: opts.access.caData,
    },
    serviceAccountToken: opts.access.serviceAccountToken,
  };
  const { status, text } = await post(url, JSON.stringify(body), opts);
  const answer = parseJson(text);
  if (status === 401) throw new CredentialRefused(REGISTRATION_REFUSED);
  if (status >= 500 || status === 429) {
    throw new Retryable(`registration at ${url.href} failed: ${status}${detail(answer)}`);
  }
  if (status !== 201 && status !== 200) {
    throw new AgentError(`the server refused the registration (${status}${detail(answer)})`);
  }
  const { cluster, agentToken } = (answer ?? {}) as Record<string, unknown>;
  if (typeof cluster !== 'string' || cluster === '' || !isAgentToken(agentToken)) {
    throw new AgentError(`the server answered the registration without a cluster and an agent token (sya_…)`);
  }
  return { cluster, agentToken };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** ": <message>" from an error body {code, reason, message}, or nothing. */
function detail(answer: unknown): string {
  const message = (answer as { message?: unknown } | undefined)?.message;
  return typeof message === 'string' ? `: ${message.slice(0, 300)}` : '';
}

function post(url: URL, body: string, opts: RegisterOptions): Promise<{ status: number; text: string }> {
  const timeoutMs = opts.timeoutMs ?? 15_000;
  return new Promise((resolve, reject) => {
    const request = url.protocol === 'https:' ? https.request : http.request;
    const req = request(
      url,
      {
        method: 'POST',
        ca: opts.ca,
        signal: opts.signal,
        timeout: timeoutMs,
        headers: {
          authorization: `Bearer ${opts.registrationToken}`,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          accept: 'application/json',
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size <= 64 * 1024) chunks.push(c);
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
        res.on('error', (e) => reject(new Retryable(`registration at ${url.href}: ${e.message}`)));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (e) => reject(new Retryable(`cannot register at ${url.href}: ${e.message}`)));
    req.end(body);
  });
}

/** Waits; false when stopped first. */
function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const done = (ok: boolean): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      resolve(ok);
    };
    const onAbort = (): void => done(false);
    const timer = setTimeout(() => done(true), ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
