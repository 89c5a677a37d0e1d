/**
 * A TCP relay in front of the API server that counts what passes: connections open now (to see the agent's
 * API server connections close), the most at once, and bytes from the API server (to see back-pressure).
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';

export class CountingProxy {
  /** Connections open now. */
  open = 0;
  /** The most connections open at once. */
  peak = 0;
  total = 0;
  /** Bytes read from the API server so far. */
  bytesDown = 0;
  private readonly sockets = new Set<net.Socket>();

  private constructor(
    private readonly server: net.Server,
    private readonly target: { host: string; port: number },
  ) {
    server.on('connection', (client) => this.accept(client));
  }

  static async start(target: { host: string; port: number }): Promise<CountingProxy> {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new CountingProxy(server, target);
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: net.Socket): void {
    this.open++;
    this.total++;
    this.peak = Math.max(this.peak, this.open);
    // No Nagle: a relay that delays small writes (TLS handshakes) would skew the latency it sits in.
    client.setNoDelay(true);
    const upstream = net.connect({ port: this.target.port, host: this.target.host, noDelay: true });
    this.sockets.add(client).add(upstream);
    upstream.on('data', (chunk: Buffer) => (this.bytesDown += chunk.length));
    client.pipe(upstream);
    upstream.pipe(client);
    let closed = false;
    const close = (): void => {
      client.destroy();
      upstream.destroy();
      this.sockets.delete(client);
      this.sockets.delete(upstream);
      if (!closed) this.open--;
      closed = true;
    };
    for (const s of [client, upstream]) s.on('error', close).on('close', close);
  }
}
