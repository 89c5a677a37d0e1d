/**
 * A minimal agent for hub tests: the HTTP/2 server end of a tunnel that answers every CONNECT by connecting
 * to `target` (or refuses with 502 when `refuse` is set, or never answers when `silent`). The real agent is
 * packages/agent (tested against the hub in tunnel-*.int.test.ts, as a process).
 */
import { once } from 'node:events';
import http2 from 'node:http2';
import net from 'node:net';
import { WebSocket, createWebSocketStream } from 'ws';
import { ERROR_HEADER, GOAWAY_REPLACED } from '@shipyard/api';

export interface FakeAgentOptions {
  url: string;
  token: string;
  target: { host: string; port: number };
}

export class FakeAgent {
  readonly ws: WebSocket;
  readonly session: http2.ServerHttp2Session;
  /** Connections to the target open now. */
  open = 0;
  replaced = false;
  mode: 'answer' | 'refuse' | 'silent' = 'answer';

  private constructor(
    url: string,
    opts: FakeAgentOptions,
    private readonly link: Link,
  ) {
    this.ws = new WebSocket(url, {
      headers: { authorization: `Bearer ${opts.token}` },
      perMessageDeflate: false,
    });
    const socket = createWebSocketStream(this.ws);
    socket.on('error', () => this.ws.terminate());
    this.session = http2.performServerHandshake(socket);
    this.session.on('error', () => this.ws.terminate());
    this.session.on('goaway', (_code, _last, data) => {
      if (data?.toString() === GOAWAY_REPLACED) this.replaced = true;
    });
    this.session.on('stream', (stream) => this.answer(stream, opts.target));
  }

  static async connect(opts: FakeAgentOptions): Promise<FakeAgent> {
    const server = new URL(opts.url);
    const link = await Link.to(server.hostname, Number(server.port));
    const agent = new FakeAgent(`ws://127.0.0.1:${link.port}${server.pathname}`, opts, link);
    await once(agent.ws, 'open');
    return agent;
  }

  /** The link goes silent both ways without closing, as with a frozen agent or a dead network path. */
  freeze(): void {
    this.link.freeze();
  }

  async close(): Promise<void> {
    if (this.ws.readyState !== WebSocket.CLOSED) {
      const closed = once(this.ws, 'close');
      this.ws.terminate();
      await closed;
    }
    this.link.close();
  }

  private answer(stream: http2.ServerHttp2Stream, target: { host: string; port: number }): void {
    stream.on('error', () => stream.destroy());
    if (this.mode === 'silent') return;
    if (this.mode === 'refuse') {
      stream.respond({ ':status': 502, [ERROR_HEADER]: 'connect ECONNREFUSED' }, { endStream: true });
      return;
    }
    const socket = net.connect(target.port, target.host);
    this.open++;
    socket.once('close', () => this.open--);
    socket.on('error', () => stream.close(http2.constants.NGHTTP2_CANCEL));
    socket.once('connect', () => {
      stream.respond({ ':status': 200 });
      stream.pipe(socket).on('error', () => socket.destroy());
      socket.pipe(stream);
    });
    stream.once('close', () => socket.destroy());
  }
}

/** A one-connection TCP relay that can freeze, between the fake agent and the server. */
class Link {
  private readonly sockets: net.Socket[] = [];

  private constructor(
    private readonly server: net.Server,
    readonly port: number,
  ) {}

  static async to(host: string, port: number): Promise<Link> {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const link = new Link(server, (server.address() as net.AddressInfo).port);
    server.on('connection', (inner) => {
      const outer = net.connect(port, host);
      link.sockets.push(inner, outer);
      inner.pipe(outer);
      outer.pipe(inner);
      for (const s of [inner, outer]) s.on('error', () => link.close()).on('close', () => link.close());
    });
    return link;
  }

  freeze(): void {
    const [inner, outer] = this.sockets;
    if (!inner || !outer) return;
    inner.unpipe(outer);
    outer.unpipe(inner);
    inner.pause();
    outer.pause();
  }

  close(): void {
    for (const s of this.sockets) s.destroy();
    this.server.close();
  }
}
