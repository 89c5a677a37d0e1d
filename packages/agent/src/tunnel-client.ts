/**
 * The agent's end of the tunnel: one WebSocket to the server carrying one HTTP/2 connection, on which this
 * agent is the HTTP/2 server. Each CONNECT stream the server opens becomes a TCP connection to the API
 * server this agent was configured with (never any other address), spliced to the stream. The bytes are
 * TLS between the server and the API server; the agent neither holds nor sees credentials.
 * When the WebSocket drops, the agent reconnects with exponential backoff and jitter.
 */
import { EventEmitter } from 'node:events';
import http2 from 'node:http2';
import type { IncomingHttpHeaders, ServerHttp2Session, ServerHttp2Stream } from 'node:http2';
import net from 'node:net';
import { WebSocket, createWebSocketStream } from 'ws';
import { formatEndpoint, type Endpoint } from './api-server-endpoint.js';
import { defaultBackoff, reconnectDelay, type ReconnectBackoff } from './reconnect-backoff.js';
import { splice } from './splice.js';
import {
  CONNECTION_WINDOW_BYTES,
  ERROR_HEADER,
  GOAWAY_REPLACED,
  MAX_CONCURRENT_STREAMS,
  MAX_SESSION_MEMORY_MB,
  STREAM_WINDOW_BYTES,
  TUNNEL_PROTOCOL_ERROR,
  dialRequestSchema,
  tunnelSchemaError,
} from '@shipyard/api';
import { tunnelUrl } from './tunnel-url.js';

/** idle → connecting → connected → waiting → connecting …; replaced, refused and stopped are final. */
export type TunnelClientState =
  'idle' | 'connecting' | 'connected' | 'waiting' | 'replaced' | 'refused' | 'stopped';

/** Said when the server answers the tunnel's upgrade with 401. */
export const TUNNEL_REFUSED =
  'the server refused the agent token: it was revoked or the cluster was deleted; register the cluster again';

export interface TunnelClientOptions {
  /** The server's base URL (https://…, or http:// to a loopback address in tests); the tunnel is under it. */
  server: string;
  /** Sent as `Authorization: Bearer …`. */
  token: string;
  /** PEM of the CA the server's certificate must chain to; the system roots when absent. */
  ca?: string | Buffer;
  /** The only address this agent dials for the server. */
  apiServer: Endpoint;
  backoff?: ReconnectBackoff;
  /** A connection that lasted this long was healthy: the next reconnect starts over at the first delay (default 10 s). */
  healthyAfterMs?: number;
  /** WebSocket ping every this long (default 5 s)… */
  pingIntervalMs?: number;
  /** …and a server that leaves one unanswered this long is dropped and redialled (default 10 s). */
  pingTimeoutMs?: number;
  /** Limit for the WebSocket handshake and for each TCP connect to the API server (default 10 s). */
  connectTimeoutMs?: number;
}

export interface TunnelClientEvents {
  /** Every state change, with a line a person can read. */
  state: [state: TunnelClientState, detail: string];
  /** A tunnel stream opened a connection to the API server, that connection closed, or a dial was refused. */
  stream: [change: 'open' | 'close' | 'refused', open: number];
}

export interface TunnelClientStats {
  /** Connections to the API server open now. */
  open: number;
  /** Connections to the API server opened since start. */
  opened: number;
  /** Dials answered with an error (bad target, API server unreachable). */
  refused: number;
  /** Streams cut by an error, e.g. the tunnel dropped under them. */
  failed: number;
  /** WebSocket connection attempts since start. */
  attempts: number;
}

interface Connection {
  ws: WebSocket;
  session: ServerHttp2Session;
  openedAt?: number;
  reason?: string;
  replaced: boolean;
  /** The server answered the upgrade with 401: the token is no good, and retrying cannot change that. */
  refused: boolean;
  stopPing?: () => void;
}

export class TunnelClient extends EventEmitter<TunnelClientEvents> {
  private readonly url: URL;
  private readonly sockets = new Set<net.Socket>();
  private readonly counts = { opened: 0, refused: 0, failed: 0, attempts: 0 };
  private current: Connection | undefined;
  private attempt = 0;
  private retry: NodeJS.Timeout | undefined;
  private _state: TunnelClientState = 'idle';

  constructor(private readonly opts: TunnelClientOptions) {
    super();
    this.url = tunnelUrl(opts.server);
  }

  get state(): TunnelClientState {
    return this._state;
  }

  /** Connections to the API server open now (one per live tunnel stream). */
  get openStreams(): number {
    return this.sockets.size;
  }

  stats(): TunnelClientStats {
    return { open: this.sockets.size, ...this.counts };
  }

  /** Connects, and keeps reconnecting until stop() or until a newer agent replaces this one. */
  start(): void {
    if (this._state === 'idle') this.connect();
  }

  /** Closes the tunnel (open streams fail) and stops reconnecting. */
  async stop(): Promise<void> {
    if (this._state === 'stopped') return;
    clearTimeout(this.retry);
    this.setState('stopped', 'stopped');
    for (const s of this.sockets) s.destroy();
    const conn = this.current;
    if (!conn || conn.ws.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      const force = setTimeout(() => conn.ws.terminate(), 2_000);
      conn.ws.once('close', () => {
        clearTimeout(force);
        resolve();
      });
      conn.ws.close(1001, 'agent stopping');
    });
  }

  private setState(state: TunnelClientState, detail: string): void {
    this._state = state;
    this.emit('state', state, detail);
  }

  private connect(): void {
    this.counts.attempts++;
    this.setState('connecting', `connecting to ${this.url.href}`);
    const ws = new WebSocket(this.url, {
      headers: { authorization: `Bearer ${this.opts.token}` },
      ca: this.opts.ca,
      perMessageDeflate: false,
      followRedirects: false,
      handshakeTimeout: this.opts.connectTimeoutMs ?? 10_000,
    });
    // Both before 'open': the server's first HTTP/2 frames may arrive with the handshake.
    const socket = createWebSocketStream(ws);
    const session = http2.performServerHandshake(socket, {
      settings: {
        initialWindowSize: STREAM_WINDOW_BYTES,
        maxConcurrentStreams: MAX_CONCURRENT_STREAMS,
        enablePush: false,
      },
      maxSessionMemory: MAX_SESSION_MEMORY_MB,
    });
    const conn: Connection = { ws, session, replaced: false, refused: false };
    this.current = conn;
    // HTTP/2 may still write while the WebSocket closes; the failure is the close, reported below.
    socket.on('error', (err) => (conn.reason ??= `tunnel write failed: ${err.message}`));
    session.on('stream', (stream, headers) => this.answer(stream, headers));
    session.on('goaway', (_code, _lastStreamId, data) => {
      if (data?.toString() === GOAWAY_REPLACED) conn.replaced = true;
    });
    session.on('error', (err) => (conn.reason ??= `tunnel error: ${err.message}`));
    // The tunnel's HTTP/2 frames come in binary messages only: anything else is a broken server or link.
    ws.on('message', (_data, isBinary) => {
      if (isBinary) return;
      conn.reason ??= 'the server sent a text message; the tunnel carries HTTP/2 frames in binary messages';
      ws.close(TUNNEL_PROTOCOL_ERROR, 'text message on the tunnel');
    });
    ws.on('open', () => {
      conn.openedAt = Date.now();
      session.setLocalWindowSize(CONNECTION_WINDOW_BYTES);
      conn.stopPing = this.keepalive(conn);
      this.setState(
        'connected',
        `connected to ${this.url.href}; API server ${formatEndpoint(this.opts.apiServer)}`,
      );
    });
    // Only to tell a refused credential from other failures; terminate() then closes as ws itself would.
    ws.on('unexpected-response', (_req, res) => {
      conn.refused = res.statusCode === 401;
      conn.reason ??= `the server answered the tunnel's upgrade with ${res.statusCode ?? 'no status'}`;
      ws.terminate();
    });
    ws.on('error', (err) => (conn.reason ??= err.message));
    ws.on('close', (code, why) => this.closed(conn, code, why.toString()));
  }

  private keepalive(conn: Connection): () => void {
    const intervalMs = this.opts.pingIntervalMs ?? 5_000;
    const timeoutMs = this.opts.pingTimeoutMs ?? 10_000;
    let deadline: NodeJS.Timeout | undefined;
    const onPong = (): void => {
      clearTimeout(deadline);
      deadline = undefined;
    };
    conn.ws.on('pong', onPong);
    const ping = setInterval(() => {
      if (deadline) return; // one ping outstanding at a time
      deadline = setTimeout(() => {
        conn.reason ??= `the server did not answer a ping within ${timeoutMs} ms`;
        conn.ws.terminate();
      }, timeoutMs);
      conn.ws.ping();
    }, intervalMs);
    return () => {
      clearInterval(ping);
      clearTimeout(deadline);
      conn.ws.off('pong', onPong);
    };
  }

  private closed(conn: Connection, code: number, why: string): void {
    conn.stopPing?.();
    conn.session.destroy();
    if (this.current === conn) this.current = undefined;
    if (this._state === 'stopped') return;
    if (conn.replaced) {
      this.setState('replaced', 'a newer agent of this cluster connected to the server; this one stops');
      return;
    }
    if (conn.refused) {
      this.setState('refused', TUNNEL_REFUSED);
      return;
    }
    const healthy =
      conn.openedAt !== undefined && Date.now() - conn.openedAt >= (this.opts.healthyAfterMs ?? 10_000);
    this.attempt = healthy ? 1 : this.attempt + 1;
    const delay = reconnectDelay(this.attempt, this.opts.backoff ?? defaultBackoff);
    const reason = conn.reason ?? `the WebSocket closed (${code}${why ? `: ${why}` : ''})`;
    this.setState('waiting', `${reason}; reconnecting in ${(delay / 1000).toFixed(1)} s`);
    this.retry = setTimeout(() => this.connect(), delay);
  }

  /** Answers one dial: connect to the API server, then splice; or refuse with a status and a reason. */
  private answer(stream: ServerHttp2Stream, headers: IncomingHttpHeaders): void {
    // A stream fails when its tunnel goes (that is reported as a state change); counted, never thrown.
    stream.on('error', () => this.counts.failed++);
    const dial = dialRequestSchema.safeParse(headers);
    if (!dial.success) {
      const wrongMethod = dial.error.issues.some((i) => i.path[0] === ':method');
      return this.refuse(stream, wrongMethod ? 405 : 403, tunnelSchemaError(dial.error));
    }
    const { host, port } = this.opts.apiServer;
    const socket = net.connect({ host, port, noDelay: true });
    this.sockets.add(socket);
    this.counts.opened++;
    this.emit('stream', 'open', this.sockets.size);
    socket.once('close', () => {
      this.sockets.delete(socket);
      this.emit('stream', 'close', this.sockets.size);
    });
    const timeoutMs = this.opts.connectTimeoutMs ?? 10_000;
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    const onFail = (err: Error): void =>
      this.refuse(
        stream,
        502,
        `cannot reach the API server at ${formatEndpoint(this.opts.apiServer)}: ${err.message}`,
      );
    const onCancel = (): void => void socket.destroy();
    socket.once('error', onFail);
    stream.once('close', onCancel);
    socket.once('connect', () => {
      socket.setTimeout(0);
      socket.off('error', onFail);
      stream.off('close', onCancel);
      stream.respond({ ':status': 200 });
      splice(stream, socket);
    });
  }

  private refuse(stream: ServerHttp2Stream, status: number, why: string): void {
    this.counts.refused++;
    this.emit('stream', 'refused', this.sockets.size);
    if (stream.destroyed || stream.headersSent) return;
    stream.respond({ ':status': status, [ERROR_HEADER]: why.replace(/[\r\n]+/g, ' ') }, { endStream: true });
  }
}
