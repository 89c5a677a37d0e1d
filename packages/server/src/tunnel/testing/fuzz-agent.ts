/**
 * A misbehaving agent for the tunnel's fuzz test: it dials /api/v1/tunnel with a real agent token and then
 * sends what a broken or hostile agent might. `raw` speaks no HTTP/2 at all (garbage, text, bad UTF-8, a
 * SETTINGS frame then random frames); `handshaken` completes the HTTP/2 handshake with node's own server, then
 * answers the server's dials at random (malformed headers, informational answers, resets, garbage after a 200)
 * and slips random HTTP/2 frames between node's own, whole frames per WebSocket message.
 */
import { once } from 'node:events';
import http2 from 'node:http2';
import { createWebSocketStream, WebSocket } from 'ws';
import { ERROR_HEADER } from '@shipyard/api';
import type { Prng } from '../../watch/testing/fuzz.js';

/** One HTTP/2 frame: 9-byte header (length, type, flags, stream id) and its payload. */
export function h2Frame(type: number, flags: number, streamId: number, payload: Buffer): Buffer {
  const head = Buffer.alloc(9);
  head.writeUIntBE(payload.length, 0, 3);
  head[3] = type;
  head[4] = flags;
  head.writeUInt32BE(streamId & 0x7fffffff, 5);
  return Buffer.concat([head, payload]);
}

/** A random frame of any type (0-9, or unknown), flags, stream and payload. */
export function randomFrame(r: Prng, streamIds: readonly number[] = []): Buffer {
  const type = r.pick([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0xff]);
  const streamId = r.pick([0, 1, 2, 3, 0x7fffffff, ...streamIds]);
  const length = r.pick([0, 1, 4, 5, 6, 8, 9, 13, r.int(300)]);
  return h2Frame(type, r.int(256), streamId, r.bytes(length));
}

export type FuzzClose = { code: number; reason: string };

export class FuzzAgent {
  readonly closed: Promise<FuzzClose>;
  session?: http2.ServerHttp2Session;
  /** Streams the server opened (its dials). */
  readonly dials: number[] = [];
  /** Errors our own HTTP/2 end saw (expected: the server ends the tunnel under it). */
  ownErrors = 0;

  private constructor(readonly ws: WebSocket) {
    this.closed = new Promise((resolve) =>
      ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
    // Errors of a socket the server closes or cuts are what the test provokes; the close above says how.
    ws.on('error', () => this.ownErrors++);
  }

  /** Opens the tunnel's WebSocket as the agent of the token; `handshaken` also starts HTTP/2 on it. */
  static async connect(opts: {
    url: string;
    token: string;
    mode: 'raw' | 'handshaken';
    answer?: (stream: http2.ServerHttp2Stream) => void;
  }): Promise<FuzzAgent> {
    const ws = new WebSocket(opts.url, {
      headers: { authorization: `Bearer ${opts.token}` },
      perMessageDeflate: false,
    });
    const agent = new FuzzAgent(ws);
    if (opts.mode === 'handshaken') {
      const socket = createWebSocketStream(ws);
      socket.on('error', () => agent.ownErrors++);
      const session = http2.performServerHandshake(socket);
      session.on('error', () => agent.ownErrors++);
      session.on('stream', (stream) => {
        stream.on('error', () => agent.ownErrors++);
        if (stream.id !== undefined) agent.dials.push(stream.id);
        opts.answer?.(stream);
      });
      agent.session = session;
    }
    await once(ws, 'open');
    return agent;
  }

  send(data: Buffer | string, binary = true): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(data, { binary });
  }

  /** Closes it from this end if the server has not (within `ms`); resolves with how it closed. */
  async end(ms = 3000): Promise<FuzzClose & { byServer: boolean }> {
    const timer = new Promise<undefined>((r) => setTimeout(() => r(undefined), ms));
    const closed = await Promise.race([this.closed, timer]);
    if (closed) return { ...closed, byServer: true };
    this.ws.terminate();
    return { ...(await this.closed), byServer: false };
  }
}

/** Answers one dial the way a broken agent might; never leaves it unanswered (the server would wait 10 s). */
export function randomAnswer(r: Prng, stream: http2.ServerHttp2Stream): void {
  try {
    switch (r.int(7)) {
      case 0:
        stream.respond({ ':status': 502, [ERROR_HEADER]: r.string(5000) + 'x'.repeat(2000) });
        break;
      case 1:
        stream.respond({ ':status': 502, [ERROR_HEADER]: [r.string(10), r.string(10)] });
        break;
      case 2:
        stream.additionalHeaders({ ':status': 103 });
        stream.respond({ ':status': r.pick([200, 204, 400, 599]) }, { endStream: r.int(2) === 0 });
        break;
      case 3:
        stream.respond({ ':status': 200 });
        stream.end(r.bytes(r.int(4000)));
        break;
      case 4:
        stream.close(r.int(14));
        break;
      case 5:
        stream.respond({ ':status': r.pick([100, 101, 199]) });
        break;
      default:
        stream.respond(
          { ':status': r.pick([403, 502, 504]), [ERROR_HEADER]: r.string(100) },
          { endStream: true },
        );
    }
  } catch {
    // Node refused to send what we asked (an invalid status): reset the stream instead, so the dial ends.
    stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR);
  }
}
