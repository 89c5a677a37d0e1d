// The streams that stay open through /k8s/clusters/{c} with the real kubectl: logs -f, attach and port-forward
// (over WebSocket and SPDY), to a cluster whose kwok follows files the test writes and forwards pod ports to a
// TCP server the test runs (testing/stream-cluster.ts); and exec and port-forward the same through the agent's
// tunnel, the cluster joined a second time by the real agent.
import { appendFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { joinByAgent, type JoinedAgent } from '../testing/clusters.js';
import { kubeconfigFor, kubectlWithEnv, killKubectls, startKubectl } from '../testing/kube-tools.js';
import { roundTrip, startStreamCluster, type StreamCluster } from '../testing/stream-cluster.js';

const management = inject('kubeconfig');
const run = Date.now().toString(36);
const direct = `follow-${run}`;
const viaAgent = `follow-agent-${run}`;

let s: StreamCluster;
let joined: JoinedAgent | undefined;

beforeAll(async () => {
  s = await startStreamCluster({ management, name: direct, ns: direct });
  // The same cluster by its agent, through the tunnel.
  joined = await joinByAgent(s.admin, s.server, viaAgent, s.user.kubeconfig);
});

afterAll(async () => {
  killKubectls();
  await s?.admin.del(`/api/v1/clusters/${viaAgent}`);
  await joined?.close();
  await s?.close();
});

describe('logs, attach and port-forward through the proxy', () => {
  it('streams kubectl logs -f: lines arrive while the command runs', async () => {
    const file = await kubeconfigFor(s.admin, direct, s.dir, 'admin-logs');
    const logs = startKubectl(file, ['logs', '-f', '-n', s.ns, s.pod]);
    await logs.waitFor(/first line\nsecond line\n/, 'the first lines');
    appendFileSync(s.logFile, '2024-01-01T00:00:02Z stdout F written later\n');
    await logs.waitFor(/written later\n/, 'the line written later');
    expect(logs.child.exitCode).toBeNull();
    await logs.stop();
  });

  it('attaches with kubectl attach: what the container writes from then on arrives', async () => {
    const file = await kubeconfigFor(s.admin, direct, s.dir, 'admin-attach');
    const attach = startKubectl(file, ['attach', '-n', s.ns, s.pod]);
    // kwok's attach follows the file from its end: write until a line arrives (the stream may not be open yet).
    let n = 0;
    const writer = setInterval(
      () => appendFileSync(s.attachFile, `2024-01-01T00:00:0${n % 10}Z stdout F attached-${n++}\n`),
      300,
    );
    try {
      await attach.waitFor(/attached-\d+\n/, 'the attached output');
    } finally {
      clearInterval(writer);
    }
    expect(attach.child.exitCode).toBeNull();
    await attach.stop();
    expect(await s.audited(direct, 'pods/attach')).toContainEqual(
      expect.objectContaining({ name: s.pod, namespace: s.ns, outcome: 101 }),
    );
  });

  it.each([
    ['WebSocket', {}, /negotiated protocol: portforward\.k8s\.io/],
    ['SPDY', { KUBECTL_PORT_FORWARD_WEBSOCKETS: 'false' }, /X-Stream-Protocol-Version: portforward\.k8s\.io/],
  ] as const)('forwards a port with kubectl port-forward over %s', async (_name, env, protocol) => {
    const file = await kubeconfigFor(s.admin, direct, s.dir, `admin-pf-${_name}`);
    const pf = startKubectl(file, ['port-forward', '-n', s.ns, `pod/${s.pod}`, ':80', '-v=7'], env);
    const [, port] = await pf.waitFor(/Forwarding from 127\.0\.0\.1:(\d+) -> 80/, 'port-forward to listen');
    const got = await roundTrip(Number(port), `ping-${_name}`);
    expect(got).toBe(`hello from the test\nping-${_name}`);
    // A second connection goes through the same upgraded stream.
    expect(await roundTrip(Number(port), 'again')).toContain('again');
    expect(pf.output.err).toMatch(protocol);
    await pf.stop();
    expect(await s.audited(direct, 'pods/portforward')).toContainEqual(
      expect.objectContaining({ name: s.pod, namespace: s.ns, outcome: 101 }),
    );
  });

  it('works the same through the agent tunnel: exec over both protocols, and port-forward', async () => {
    const file = await kubeconfigFor(s.admin, viaAgent, s.dir, 'admin-agent');
    const exec = (args: string[], env: NodeJS.ProcessEnv = {}) =>
      kubectlWithEnv(file, ['exec', '-n', s.ns, s.pod, '--', ...args], env);
    const ws = await exec(['sh', '-c', 'echo via-agent']);
    expect(ws.out).toBe('via-agent\n');
    const spdy = await exec(['echo', 'spdy-via-agent'], { KUBECTL_REMOTE_COMMAND_WEBSOCKETS: 'false' });
    expect(spdy.out).toBe('spdy-via-agent\n');
    const pf = startKubectl(file, ['port-forward', '-n', s.ns, `pod/${s.pod}`, ':80']);
    const [, port] = await pf.waitFor(/Forwarding from 127\.0\.0\.1:(\d+) -> 80/, 'port-forward to listen');
    expect(await roundTrip(Number(port), 'tunnel')).toBe('hello from the test\ntunnel');
    await pf.stop();
  });
});
