// exec through /k8s/clusters/{c} with the real kubectl (over WebSocket and SPDY) and by hand, to a cluster whose
// kwok runs exec commands on this host (testing/stream-cluster.ts): who may exec, the connection to the cluster
// closing with the client's, which origins may use a session cookie, and a cluster that is down.
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { kubectl } from '@shipyard/localkube';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { WebSocket } from 'ws';
import { joinDirect, leaveDirect } from '../testing/clusters.js';
import { kubeconfigFor, kubectlWithEnv } from '../testing/kube-tools.js';
import { addPartitionViewer } from '../testing/partition-viewer.js';
import { ApiClient, eventually } from '../testing/server.js';
import { startStreamCluster, type StreamCluster } from '../testing/stream-cluster.js';

const management = inject('kubeconfig');
const run = Date.now().toString(36);
const direct = `exec-${run}`;
const down503 = `exec-down-${run}`;
const vic = `vic-${run}`;
const password = 'vic-password-1';
const tickMarker = `tick-${run}`;

let s: StreamCluster;
let removeVic: (() => Promise<void>) | undefined;

/** Pids of the processes on this host whose command line holds `text`. */
function processesWith(text: string): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(text);
      } catch {
        return false; // it ended while we looked
      }
    })
    .map(Number);
}

/**
 * A WebSocket exec by hand on a plain TCP socket (so the test decides how it ends): the upgrade request as
 * kubectl sends it, resolved once the 101 and `text` came back.
 */
function rawExec(cluster: string, command: string[], text: string): Promise<net.Socket> {
  const url = new URL(s.execUrl(cluster, command));
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(url.port), url.hostname);
    let got = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no "${text}" from the exec: ${got}`));
    }, 15_000);
    socket.on('error', reject);
    socket.on('data', (d: Buffer) => {
      got += d.toString('latin1');
      if (got.startsWith('HTTP/1.1 101') && got.includes(text)) {
        clearTimeout(timer);
        resolve(socket);
      }
    });
    socket.write(
      [
        `GET ${url.pathname}${url.search} HTTP/1.1`,
        `Host: ${url.host}`,
        'Connection: Upgrade',
        'Upgrade: websocket',
        'Sec-WebSocket-Version: 13',
        `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
        'Sec-WebSocket-Protocol: v5.channel.k8s.io',
        `Authorization: Bearer ${s.adminToken}`,
        '',
        '',
      ].join('\r\n'),
    );
  });
}

/** Opens a WebSocket exec; resolves it once `text` arrived on it, or its refusal. */
function wsExec(
  url: string,
  headers: Record<string, string>,
  text: string,
): Promise<{ opened: true; ws: WebSocket } | { opened: false; status: number; body: string; ms: number }> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, ['v5.channel.k8s.io'], { headers });
    let got = '';
    ws.on('message', (data: Buffer) => {
      got += data.subarray(1).toString();
      if (got.includes(text)) resolve({ opened: true, ws });
    });
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () =>
        resolve({ opened: false, status: res.statusCode ?? 0, body, ms: Date.now() - started }),
      );
    });
    ws.on('error', reject);
  });
}

beforeAll(async () => {
  s = await startStreamCluster({ management, name: direct, ns: direct });
  const { user, admin, ns } = s;
  // vic may read pods and their logs but not exec into them.
  await kubectl(user, [
    'create',
    'role',
    'reader',
    '-n',
    ns,
    '--verb=get,list,watch',
    '--resource=pods,pods/log',
  ]);
  await kubectl(user, ['create', 'rolebinding', 'vic-reads', '-n', ns, '--role=reader', `--user=${vic}`]);
  // A cluster that is down.
  const dead = path.join(s.dir, 'dead.kubeconfig');
  writeFileSync(dead, readFileSync(user.kubeconfig, 'utf8').replace(user.server, 'https://127.0.0.1:1'));
  await joinDirect(admin, management, down503, dead);
  // vic reaches the direct cluster through a partition there.
  removeVic = await addPartitionViewer(admin, {
    user: vic,
    password,
    cluster: direct,
    namespace: ns,
    tenant: `et-${run}`,
    partition: `ep-${run}`,
    binding: `vic-${run}`,
  });
});

afterAll(async () => {
  // kwok does not end the commands it runs when their stream closes.
  for (const pid of processesWith(tickMarker)) process.kill(pid, 'SIGKILL');
  await removeVic?.();
  await leaveDirect({ admin: s?.admin, management, names: [down503] });
  await s?.close();
});

describe('exec through the proxy', () => {
  const exec = (file: string, args: string[], env: NodeJS.ProcessEnv = {}) =>
    kubectlWithEnv(file, ['exec', '-n', s.ns, s.pod, ...args], env);

  it('runs kubectl exec over WebSocket (v5.channel.k8s.io), audited as create pods/exec', async () => {
    const file = await kubeconfigFor(s.admin, direct, s.dir, 'admin');
    const r = await exec(file, ['-v=7', '--', 'sh', '-c', 'echo out-$((6*7)); echo err >&2; pwd']);
    expect(r.out).toBe(`out-42\n${s.workDir}\n`);
    expect(r.err).toContain('The subprotocol is v5.channel.k8s.io');
    expect(r.err).toMatch(/\nerr\n/);
    expect(await s.audited(direct, 'pods/exec')).toContainEqual(
      expect.objectContaining({ verb: 'create', name: s.pod, namespace: s.ns, user: 'admin', outcome: 101 }),
    );
  });

  it('runs kubectl exec over SPDY/3.1 when WebSockets are turned off', async () => {
    const file = await kubeconfigFor(s.admin, direct, s.dir, 'admin-spdy');
    const r = await exec(file, ['-v=7', '--', 'sh', '-c', 'echo spdy-ok'], {
      KUBECTL_REMOTE_COMMAND_WEBSOCKETS: 'false',
    });
    expect(r.out).toBe('spdy-ok\n');
    expect(r.err).toContain('X-Stream-Protocol-Version: v4.channel.k8s.io');
    expect(r.err).toContain('101 Switching Protocols');
    expect(r.err).not.toContain('Sec-Websocket-Protocol');
  });

  it('refuses exec to a user without pods/exec RBAC (Forbidden, both protocols, audited), yet streams their logs', async () => {
    const client = await ApiClient.signedIn(s.server.url, vic, password);
    const file = await kubeconfigFor(client, direct, s.dir, 'vic');
    for (const env of [{}, { KUBECTL_REMOTE_COMMAND_WEBSOCKETS: 'false' }]) {
      const r = await exec(file, ['--', 'echo', 'nope'], env);
      expect(r.code).not.toBe(0);
      expect(r.out).toBe('');
      expect(r.err).toContain(`User "${vic}" cannot create resource "pods/exec"`);
    }
    expect(await s.audited(direct, 'pods/exec')).toContainEqual(
      expect.objectContaining({ user: vic, name: s.pod, namespace: s.ns, outcome: 403 }),
    );
    const logs = await kubectlWithEnv(file, ['logs', '-n', s.ns, s.pod], {});
    expect(logs.out).toContain('first line');
  });

  it.each([
    ['closes its connection', (socket: net.Socket) => socket.end()],
    ['vanishes (its connection reset)', (socket: net.Socket) => socket.resetAndDestroy()],
  ])('closes the connection to the cluster when the client %s', async (_how, leave) => {
    // A command that writes five times a second: its connection is the busiest one through the relay.
    const socket = await rawExec(
      direct,
      ['sh', '-c', `echo ready; for i in $(seq 100); do echo ${tickMarker}; sleep 0.2; done`],
      'ready',
    );
    const counted = s.relay.connections.map((c) => c.chunksDown);
    await new Promise((r) => setTimeout(r, 1000));
    const busiest = s.relay.connections
      .map((c, i) => ({ c, ticks: c.chunksDown - (counted[i] ?? 0) }))
      .sort((a, b) => b.ticks - a.ticks)[0];
    expect(busiest?.ticks).toBeGreaterThanOrEqual(3);
    expect(busiest?.c.closed).toBe(false);
    const gone = Date.now();
    leave(socket);
    await eventually(
      'the exec connection to close',
      async () => (busiest?.c.closed ? true : undefined),
      10_000,
    );
    expect(Date.now() - gone).toBeLessThan(5_000);
  });

  it('takes a session cookie on a WebSocket only from its own origin', async () => {
    const cookie = s.admin.cookie ?? '';
    const foreign = await wsExec(
      s.execUrl(direct, ['echo', 'x']),
      { cookie, origin: 'https://evil.example' },
      'x',
    );
    expect(foreign).toMatchObject({ opened: false, status: 403 });
    const own = await wsExec(
      s.execUrl(direct, ['echo', 'same-origin']),
      { cookie, origin: s.server.url },
      'same-origin',
    );
    expect(own.opened).toBe(true);
    if (own.opened) own.ws.close();
  });

  it('answers an upgrade to a cluster that is down with 503 and a reason, fast', async () => {
    const r = await wsExec(
      s.execUrl(down503, ['echo', 'x']),
      { authorization: `Bearer ${s.adminToken}` },
      'x',
    );
    if (r.opened) throw new Error('an upgrade to a cluster that is down succeeded');
    expect(r.status).toBe(503);
    expect(JSON.parse(r.body)).toMatchObject({
      reason: 'ServiceUnavailable',
      message: expect.stringContaining(down503),
    });
    expect(r.ms).toBeLessThan(5_000);
  });
});
