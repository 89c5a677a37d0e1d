/** One agent's tunnel: an HTTP/2 client session over its WebSocket, whose CONNECT streams reach its API server. */
import http2 from 'node:http2';
import type { ClientHttp2Session, ClientHttp2Stream } from 'node:http2';
import type { Duplex } from 'node:stream';
import { createWebSocketStream, type WebSocket } from 'ws';
import type { Logger } from '../runtime/logger.js';
import { keepalive } from './keepalive.js';
import { TunnelError } from './tunnel-errors.js';
import {
  API_SERVER_AUTHORITY,
  CONNECTION_WINDOW_BYTES,
  ERROR_HEADER,
  GOAWAY_REPLACED,
  MAX_SESSION_MEMORY_MB,
  STREAM_WINDOW_BYTES,
  TUNNEL_PROTOCOL_ERROR,
  dialAnswerSchema,
  tunnelSchemaError,
} from '@shipyard/api';

const { NGHTTP2_CANCEL, NGHTTP2_NO_ERROR } = http2.constants;

export interface TunnelSessionOptions {
  cluster: string;
  ws: WebSocket;
  pingIntervalMs: number;
  pingTimeoutMs: number;
  /** How long open streams may go on once the session stops taking dials (replaced, or the agent leaving). */
  drainMs: number;
  logger: Logger;
  /** The agent answered a PING. */
  onSeen: () => void;
  /** The session is gone (called once); `reason` says why. */
  onClose: (reason: string) => void;
}

export interface DialOptions {
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface TunnelStats {
  /** Streams open now. */
  streams: number;
  /** The most streams this session had open at once. */
  peakStreams: number;
  /** Dials since the agent connected. */
  dials: number;
  connectedAt: Date;
}

export class TunnelSession {
  readonly connectedAt = new Date();
  private readonly h2: ClientHttp2Session;
  private readonly stopKeepalive: () => void;
  private readonly ws: WebSocket;
  private readonly log: Logger;
  private streams = 0;
  private peakStreams = 0;
  private dials = 0;
  private reason: string | undefined;
  private draining = false;
  private readonly closed: Promise<void>;
  private finish: () => void = () => undefined;
  private done = false;
  /** The agent's SETTINGS came: it speaks HTTP/2. */
  private h2Started = false;

  constructor(private readonly opts: TunnelSessionOptions) {
    this.ws = opts.ws;
    this.log = opts.logger;
    const socket = createWebSocketStream(opts.ws);
    // HTTP/2 may still write while the WebSocket closes (ws then fails the write): that is the close, handled below.
    socket.on('error', (err) => this.end(`the agent's WebSocket failed: ${err.message}`));
    this.h2 = http2.connect('http://tunnel.invalid', {
      createConnection: () => socket,
      settings: { initialWindowSize: STREAM_WINDOW_BYTES, enablePush: false },
      maxSessionMemory: MAX_SESSION_MEMORY_MB,
    });
    this.h2.once('connect', () => {
      this.h2Started = true;
      this.h2.setLocalWindowSize(CONNECTION_WINDOW_BYTES);
    });
    // Frames that are not HTTP/2 (or break it) end the tunnel with nghttp2's reason; nothing is thrown.
    this.h2.on('error', (err) => this.refuse(`tunnel error: ${err.message}`));
    // The tunnel's HTTP/2 frames come in binary messages only.
    this.ws.on('message', (_data, isBinary) => {
      if (!isBinary)
        this.refuse('the agent sent a text message; the tunnel carries HTTP/2 frames in binary messages');
    });
    // Node closes the session by itself on a GOAWAY, letting open streams finish; take no more dials.
    this.h2.on('goaway', (code) => this.end(`the agent is going away (GOAWAY ${code})`, 'graceful'));
    this.closed = new Promise((resolve) => (this.finish = resolve));
    this.h2.once('close', () => {
      // nghttp2 ends a session whose peer never sent SETTINGS (not HTTP/2 at all) by itself, without an error.
      if (!this.h2Started && this.reason === undefined) {
        this.refuse('the agent did not start HTTP/2 (its first frame was not SETTINGS)');
      }
      this.finished();
    });
    this.ws.once('close', (code, why) => {
      const detail = why.length > 0 ? `: ${why.toString()}` : '';
      this.end(`the agent's WebSocket closed (${code}${detail})`);
    });
    this.stopKeepalive = keepalive(this.h2, {
      intervalMs: opts.pingIntervalMs,
      timeoutMs: opts.pingTimeoutMs,
      onAck: opts.onSeen,
      onTimeout: () => this.end(`the agent did not answer a ping within ${opts.pingTimeoutMs} ms`),
    });
  }

  /** Still accepting dials: not closing, not gone. */
  get usable(): boolean {
    return this.reason === undefined && !this.h2.closed && !this.h2.destroyed;
  }

  stats(): TunnelStats {
    return {
      streams: this.streams,
      peakStreams: this.peakStreams,
      dials: this.dials,
      connectedAt: this.connectedAt,
    };
  }

  /** Opens a stream to the agent's API server; resolves once the agent has connected it. */
  dial(opts: DialOptions): Promise<Duplex> {
    const cluster = this.opts.cluster;
    if (!this.usable) {
      return Promise.reject(new TunnelError('NotConnected', cluster, `the tunnel of ${cluster} is closing`));
    }
    this.dials++;
    let stream: ClientHttp2Stream;
    try {
      stream = this.h2.request({ ':method': 'CONNECT', ':authority': API_SERVER_AUTHORITY });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      return Promise.reject(new TunnelError('NotConnected', cluster, `dial ${cluster}: ${message}`));
    }
    this.track(stream);
    return new Promise<Duplex>((resolve, reject) => {
      const fail = (err: TunnelError): void => {
        settle();
        stream.close(NGHTTP2_CANCEL);
        reject(err);
      };
      const onAbort = (): void => fail(new TunnelError('Aborted', cluster, `dial ${cluster} aborted`));
      const timer = setTimeout(
        () =>
          fail(
            new TunnelError(
              'DialTimeout',
              cluster,
              `the agent of ${cluster} did not answer a dial within ${opts.timeoutMs} ms`,
            ),
          ),
        opts.timeoutMs,
      );
      const onResponse = (headers: http2.IncomingHttpHeaders): void => {
        const answer = dialAnswerSchema.safeParse(headers);
        if (!answer.success) {
          const why = `the agent answered a dial malformed (${tunnelSchemaError(answer.error)})`;
          fail(new TunnelError('Disconnected', cluster, `dial ${cluster}: ${why}`));
          this.refuse(why);
          return;
        }
        const status = answer.data[':status'];
        if (status === 200) {
          settle();
          resolve(stream);
          return;
        }
        const why = answer.data[ERROR_HEADER] ?? 'no reason given';
        fail(
          new TunnelError(
            'DialFailed',
            cluster,
            `the agent of ${cluster} could not dial its API server (${status}): ${why}`,
          ),
        );
      };
      const onError = (err: Error): void =>
        fail(new TunnelError('Disconnected', cluster, `dial ${cluster}: ${err.message}`, { cause: err }));
      const onClose = (): void =>
        fail(
          new TunnelError(
            'Disconnected',
            cluster,
            `dial ${cluster}: ${this.reason ?? `stream reset (code ${stream.rstCode})`}`,
          ),
        );
      const settle = (): void => {
        clearTimeout(timer);
        opts.signal?.removeEventListener('abort', onAbort);
        stream.off('response', onResponse).off('error', onError).off('close', onClose);
      };
      if (opts.signal?.aborted) return onAbort();
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      stream.once('response', onResponse).once('error', onError).once('close', onClose);
    });
  }

  /**
   * Stops taking dials. `graceful` lets open streams finish for up to `drainMs`; `replaced` also tells the
   * agent that a newer agent took over (so it stops reconnecting). Otherwise open streams fail at once.
   */
  end(reason: string, mode: 'now' | 'graceful' | 'replaced' = 'now'): Promise<void> {
    this.reason ??= reason;
    if (this.done) return this.closed;
    if (mode === 'now') {
      this.h2.destroy(
        new TunnelError('Disconnected', this.opts.cluster, `tunnel of ${this.opts.cluster}: ${reason}`),
      );
      // Do not wait for the session's close: over a dead link, ending the WebSocket politely takes 30 s.
      this.finished();
      return this.closed;
    }
    if (this.draining) return this.closed;
    this.draining = true;
    if (mode === 'replaced' && !this.h2.closed) {
      this.h2.goaway(NGHTTP2_NO_ERROR, 0, Buffer.from(GOAWAY_REPLACED));
    }
    if (!this.h2.closed) this.h2.close();
    const drainMs = this.opts.drainMs;
    const drain = setTimeout(() => this.end(`${reason}; streams still open after ${drainMs} ms`), drainMs);
    drain.unref();
    this.h2.once('close', () => clearTimeout(drain));
    return this.closed;
  }

  /**
   * The agent broke the protocol (frames that are not HTTP/2, a text message, a malformed answer): the tunnel
   * closes at once, and the agent is told why (WebSocket close 1002, as far as the link still carries it).
   */
  private refuse(reason: string): void {
    if (this.done) return;
    this.log.warn({ reason }, 'closing a tunnel that broke the protocol');
    if (this.ws.readyState === this.ws.OPEN) {
      // A close reason is at most 123 bytes.
      this.ws.close(TUNNEL_PROTOCOL_ERROR, Buffer.from(reason).subarray(0, 123).toString());
    }
    void this.end(reason);
  }

  /** Once: the WebSocket is cut and the hub told. */
  private finished(): void {
    if (this.done) return;
    this.done = true;
    this.stopKeepalive();
    this.ws.terminate();
    this.opts.onClose(this.reason ?? 'tunnel closed');
    this.finish();
  }

  private track(stream: ClientHttp2Stream): void {
    this.streams++;
    this.peakStreams = Math.max(this.peakStreams, this.streams);
    // A stream fails when its tunnel goes; whoever reads it sees the error too. This listener keeps an
    // unobserved failure from becoming an uncaught exception.
    stream.on('error', (err) =>
      this.log.debug({ cluster: this.opts.cluster, err: err.message }, 'tunnel stream failed'),
    );
    stream.once('close', () => this.streams--);
  }
}
