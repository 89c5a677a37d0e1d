import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ClusterHealth } from './cluster-health.js';
import { GuardedAgent } from './guarded-agents.js';

describe('ClusterHealth', () => {
  const opts = { connectTimeoutMs: 200, probeEveryMs: 1_000, patienceMs: 1_000 };

  it('refuses while down, admits one probe per interval, and is up once answered', () => {
    const h = new ClusterHealth('c', opts);
    expect(h.admit(0)).toBeUndefined();
    h.markDown('no TLS connection within 3 s', 0);
    expect(h.admit(10)).toMatchObject({ status: 503, reason: 'ClusterUnreachable' });
    expect(h.refusal()?.message).toBe('cluster "c" does not answer: no TLS connection within 3 s');
    expect(h.admit(1_000)).toBeUndefined(); // the probe
    expect(h.admit(1_001)).toMatchObject({ status: 503 });
    expect(h.admit(2_000)).toBeUndefined(); // the next one
    h.up();
    expect(h.admit(2_001)).toBeUndefined();
    expect(h.refusal()).toBeUndefined();
  });

  describe('guarding the connections of a pool', () => {
    const sockets: net.Socket[] = [];
    let server: net.Server | undefined;
    afterEach(async () => {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server?.close(r));
    });

    it('destroys a connection that completes no TLS handshake in time, and marks the cluster down', async () => {
      // Takes TCP connections and says nothing: a hung API server.
      server = net.createServer((s) => sockets.push(s));
      await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
      const { port } = server.address() as net.AddressInfo;
      const health = new ClusterHealth('c', opts);
      const agent = new GuardedAgent(health, { keepAlive: true });
      const started = Date.now();
      const err = await new Promise<Error>((resolve) => {
        const socket = agent.createConnection({ host: '127.0.0.1', port, rejectUnauthorized: false });
        socket?.once('error', resolve);
      });
      expect(err.message).toBe('no TLS connection within 0.2 s');
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(health.refusal()).toMatchObject({ status: 503 });
      agent.destroy();
    });

    it('gives a connection more time while the cluster shows life, and does not mark it down', async () => {
      server = net.createServer((s) => sockets.push(s));
      await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
      const { port } = server.address() as net.AddressInfo;
      const health = new ClusterHealth('c', opts);
      const agent = new GuardedAgent(health, { keepAlive: true });
      // Other connections complete meanwhile: the cluster is busy.
      const life = setInterval(() => health.up(), 50);
      const started = Date.now();
      const err = await new Promise<Error>((resolve) => {
        const socket = agent.createConnection({ host: '127.0.0.1', port, rejectUnauthorized: false });
        socket?.once('error', resolve);
      });
      clearInterval(life);
      expect(Date.now() - started).toBeGreaterThanOrEqual(opts.patienceMs);
      expect(err.message).toBe('no TLS connection within 1 s');
      expect(health.refusal()).toBeUndefined();
      agent.destroy();
    });
  });
});
