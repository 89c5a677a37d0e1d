// The tunnel to the run's real kube-apiserver when things go wrong (testing/tunnel-rig.ts): the server drops
// the agent's WebSocket, the agent freezes, the agent is killed, a second agent of the cluster connects.
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { CLUSTER, tunnelRig } from '../testing/tunnel-rig.js';
import { isTunnelError } from './tunnel-errors.js';

const rig = tunnelRig();
const { request, connected } = rig;

describe('the tunnel to a real kube-apiserver, recovering', () => {
  it('reconnects by itself (backoff) when the server drops its WebSocket', async () => {
    const { hub } = rig;
    const ws = rig.server.sockets.at(-1);
    const disconnected = once(hub, 'disconnect');
    const t0 = performance.now();
    ws?.terminate();
    await disconnected;
    expect(hub.has(CLUSTER)).toBe(false);
    await connected();
    console.log(
      `[tunnel] the agent was back ${(performance.now() - t0).toFixed(0)} ms after its WebSocket was cut`,
    );
    expect((await request({ path: '/version' })).status).toBe(200);
  });

  it('notices a frozen agent by keepalive; the agent reconnects once it runs again', async () => {
    const { hub } = rig;
    const [agent] = rig.agents;
    if (!agent) throw new Error('no agent');
    const seenBefore = hub.lastSeen(CLUSTER);
    const t0 = performance.now();
    const disconnected = once(hub, 'disconnect');
    agent.signal('SIGSTOP');
    const [, reason] = (await disconnected) as [string, string];
    const noticedMs = performance.now() - t0;
    console.log(
      `[tunnel] a frozen agent was dropped ${noticedMs.toFixed(0)} ms after it stopped (ping 1 s, timeout 3 s)`,
    );
    expect(reason).toBe('the agent did not answer a ping within 3000 ms');
    expect(noticedMs).toBeLessThan(1_000 + 3_000 + 500);
    expect(hub.lastSeen(CLUSTER)?.getTime()).toBeGreaterThanOrEqual(seenBefore?.getTime() ?? 0);
    agent.signal('SIGCONT');
    await connected();
    expect((await request({ path: '/version' })).status).toBe(200);
  });

  it('fails dials fast when the agent is killed, and works again when an agent comes back', async () => {
    const { hub } = rig;
    const [agent] = rig.agents;
    if (!agent) throw new Error('no agent');
    const disconnected = once(hub, 'disconnect');
    agent.signal('SIGKILL');
    await disconnected;
    expect(hub.has(CLUSTER)).toBe(false);
    const t0 = performance.now();
    const err = await hub.dial(CLUSTER).catch((e: unknown) => e);
    const failedMs = performance.now() - t0;
    console.log(
      `[tunnel] with the agent killed, a dial failed after ${failedMs.toFixed(2)} ms: ${String(err)}`,
    );
    expect(failedMs).toBeLessThan(1_000);
    expect(isTunnelError(err, 'NotConnected')).toBe(true);
    const failed = await request({ path: '/version' }).catch((e: unknown) => e);
    expect(failed).toMatchObject({
      reason: 'NotConnected',
      message: `no agent of cluster ${CLUSTER} is connected`,
    });
    expect(performance.now() - t0).toBeLessThan(1_000);
    rig.startAgent();
    await connected();
    expect((await request({ path: '/version' })).status).toBe(200);
  });

  it('lets a second agent of the cluster replace the first, which stops', async () => {
    const { hub } = rig;
    const first = rig.agents.at(-1);
    if (!first) throw new Error('no agent');
    const replaced = once(hub, 'connect');
    const second = rig.startAgent();
    expect(await replaced).toEqual([CLUSTER, { replaced: true }]);
    expect(await first.exited).toBe(3);
    expect(first.lines.at(-1)).toMatch(
      /a newer agent of this cluster connected to the server; this one stops/,
    );
    expect(hub.has(CLUSTER)).toBe(true);
    expect((await request({ path: '/version' })).status).toBe(200);
    expect(second.child.exitCode).toBeNull();
  });
});
