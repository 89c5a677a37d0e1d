/**
 * The caller's side of a relay: a WebSocket to `GET /api/v1/tunnel/relay?cluster=<c>` of the replica that
 * holds the cluster's tunnel, over TLS checked against the platform's CA (the replicas share the serving
 * certificate). The peer dials its own hub before it accepts the WebSocket, so a failed dial comes back as an
 * HTTP error carrying the TunnelError reason; once open, the WebSocket's byte stream is the tunnel stream.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { createWebSocketStream, WebSocket } from 'ws';
import { TunnelError, type TunnelErrorReason } from './tunnel-errors.js';

export interface RelayDialOptions {
  /** https://HOST:PORT of the replica that holds the tunnel. */
  peerUrl: string;
  cluster: string;
  /** The peer token (peer-token.ts). */
  token: string;
  /** PEM of the CA that signed the replicas' serving certificate. */
  ca: string;
  /** Default 12 s: a bit over the peer's own dial timeout (10 s), so the peer's answer arrives first. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** The path of the relay route. */
export const relayPath = '/api/v1/tunnel/relay';

export function relayUrl(peerUrl: string, cluster: string): URL {
  const url = new URL(relayPath.slice(1), peerUrl.endsWith('/') ? peerUrl : `${peerUrl}/`);
  url.protocol = url.protocol === 'http:' ? 'ws:' : 'wss:';
  url.searchParams.set('cluster', cluster);
  return url;
}

const reasons = new Set<TunnelErrorReason>(['NotConnected', 'DialFailed', 'DialTimeout', 'Disconnected']);

/** The TunnelError of the peer's refusal: its body's reason when it is one, else by status. */
function refused(cluster: string, peerUrl: string, status: number, body: string): TunnelError {
  let reason: TunnelErrorReason =
    status === 504 ? 'DialTimeout' : status === 502 ? 'DialFailed' : 'NotConnected';
  let message = `the replica at ${peerUrl} refused the relay to ${cluster} (${status})`;
  try {
    const parsed = JSON.parse(body) as { reason?: unknown; message?: unknown };
    if (typeof parsed.reason === 'string' && reasons.has(parsed.reason as TunnelErrorReason)) {
      reason = parsed.reason as TunnelErrorReason;
    }
    if (typeof parsed.message === 'string') message = `${message}: ${parsed.message}`;
  } catch {
    // Not our error body (a proxy in between?): the status alone decides.
  }
  return new TunnelError(reason, cluster, message);
}

/** The peer's WebSocket server takes messages of up to 1 MiB; TLS hands a large write down in one piece. */
const maxMessageBytes = 256 * 1024;

/** Sends each write larger than maxMessageBytes as several messages, in order. */
function capMessages(stream: Duplex): Duplex {
  const write = stream._write.bind(stream);
  stream._write = (chunk: Buffer, encoding, callback) => {
    if (chunk.length <= maxMessageBytes) return write(chunk, encoding, callback);
    let offset = 0;
    const next = (err?: Error | null): void => {
      if (err || offset >= chunk.length) return callback(err);
      const piece = chunk.subarray(offset, offset + maxMessageBytes);
      offset += piece.length;
      write(piece, encoding, next);
    };
    next();
  };
  return stream;
}

export function dialRelay(opts: RelayDialOptions): Promise<Duplex> {
  const { cluster, peerUrl } = opts;
  const timeoutMs = opts.timeoutMs ?? 12_000;
  return new Promise<Duplex>((resolve, reject) => {
    if (opts.signal?.aborted) {
      reject(new TunnelError('Aborted', cluster, `dial ${cluster} aborted`));
      return;
    }
    const ws = new WebSocket(relayUrl(peerUrl, cluster), {
      headers: { authorization: `Bearer ${opts.token}` },
      ca: opts.ca,
      // The bytes are TLS records already: compression would only cost time.
      perMessageDeflate: false,
    });
    let settled = false;
    const fail = (err: TunnelError): void => {
      if (settled) return;
      settle();
      ws.terminate();
      reject(err);
    };
    const onAbort = (): void => fail(new TunnelError('Aborted', cluster, `dial ${cluster} aborted`));
    const timer = setTimeout(
      () =>
        fail(
          new TunnelError(
            'DialTimeout',
            cluster,
            `the replica at ${peerUrl} did not open a relay to ${cluster} within ${timeoutMs} ms`,
          ),
        ),
      timeoutMs,
    );
    const settle = (): void => {
      settled = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
    };
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    // Errors after the relay opened reach whoever reads the stream; this listener keeps early ones handled.
    ws.on('error', (err) =>
      fail(
        new TunnelError(
          'NotConnected',
          cluster,
          `the replica at ${peerUrl} that holds the tunnel of ${cluster} is not reachable: ${err.message}`,
          { cause: err },
        ),
      ),
    );
    ws.once('unexpected-response', (_req, res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.once('end', () =>
        fail(refused(cluster, peerUrl, res.statusCode ?? 0, Buffer.concat(chunks).toString())),
      );
      res.once('error', () => fail(refused(cluster, peerUrl, res.statusCode ?? 0, '')));
    });
    ws.once('open', () => {
      if (settled) return;
      settle();
      const stream = capMessages(createWebSocketStream(ws));
      // A WebSocket cannot half-close: once the peer closed it, finish this side too, so the stream closes.
      stream.once('end', () => stream.end());
      resolve(stream);
    });
  });
}
