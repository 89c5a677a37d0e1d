/**
 * A TCP proxy in front of a real apiserver, to make it unreachable or silently dead on demand
 * (TLS passes through untouched; the certificate still names 127.0.0.1).
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';

/** pass: forward; refuse: drop every connection (apiserver down); freeze: accept, forward nothing (dead link). */
export type ProxyMode = 'pass' | 'refuse' | 'freeze';

export class TcpProxy {
  mode: ProxyMode = 'pass';
  connections = 0;
  private readonly sockets = new Set<net.Socket>();
  private readonly server: net.Server;

  constructor(
    private readonly host: string,
    private readonly port: number,
  ) {
    this.server = net.createServer((client) => this.accept(client));
  }

  /** A proxy for the current cluster of `kc`, and a copy of `kc` that goes through it. */
  static async for(kc: KubeConfig): Promise<{ proxy: TcpProxy; kubeConfig: KubeConfig }> {
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new Error('no current cluster');
    const upstream = new URL(cluster.server);
    const proxy = new TcpProxy(upstream.hostname, Number(upstream.port || 443));
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
    const { port } = proxy.server.address() as AddressInfo;
    const copy = new KubeConfig();
    copy.loadFromString(kc.exportConfig());
    const server = `https://${upstream.hostname}:${port}`;
    copy.clusters = copy.clusters.map((c) => (c.name === cluster.name ? { ...c, server } : c));
    return { proxy, kubeConfig: copy };
  }

  /** Switches mode; leaving `pass` also cuts (refuse) or freezes the connections already open. */
  set(mode: ProxyMode): void {
    this.mode = mode;
    for (const s of this.sockets) {
      if (mode === 'refuse') s.destroy();
      if (mode === 'freeze') s.pause();
    }
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: net.Socket): void {
    this.connections++;
    if (this.mode === 'refuse') return void client.destroy();
    this.track(client);
    if (this.mode === 'freeze') return void client.pause();
    const upstream = net.connect(this.port, this.host);
    this.track(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    const close = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
  }

  private track(s: net.Socket): void {
    this.sockets.add(s);
    s.on('close', () => this.sockets.delete(s));
  }
}
