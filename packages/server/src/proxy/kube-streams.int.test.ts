// exec, attach, logs -f and port-forward through /k8s/clusters/{c} with the real kubectl, over WebSocket and
// SPDY, to a cluster of this file's own whose kwok runs exec commands on this host (in a work dir of the test),
// serves a log file the test writes, and forwards pod ports to a TCP server the test runs. The cluster is joined
// twice: directly through a TCP relay that watches each of the server's connections to the API server, and by
// the real agent through its tunnel.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  appendFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { binaries, down, kubectl, up, type LocalCluster } from '@shipyard/localkube';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { WebSocket } from 'ws';
import { joinByAgent, joinDirect, type JoinedAgent } from '../testing/clusters.js';
import {
  ApiClient,
  eventually,
  startTestServer,
  testAdminPassword,
  type TestServer,
} from '../testing/server.js';

const management = inject('kubeconfig');
const run = Date.now().toString(36);
const direct = `streams-${run}`;
const viaAgent = `streams-agent-${run}`;
const down503 = `streams-down-${run}`;
const ns = `streams-${run}`;
const tenant = `st-${run}`;
const partition = `sp-${run}`;
const vic = `vic-${run}`;
const password = 'vic-password-1';
const pod = 'box';
const tickMarker = `tick-${run}`;

let user: LocalCluster | undefined;
let server: TestServer;
let admin: ApiClient;
let joined: JoinedAgent | undefined;
let dir: string;
let relay: Relay;
let workDir: string;
let logFile: string;
let attachFile: string;
let echo: net.Server;
let adminToken: string;
const children = new Set<ChildProcess>();

type Result = { code: number; out: string; err: string };

function kubectlAs(file: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<Result> {
  return new Promise((resolve) => {
    execFile(
      binaries().kubectl,
      ['--kubeconfig', file, ...args],
      { env: { ...process.env, ...env }, timeout: 60_000 },
      (e, out, err) => resolve({ code: e ? Number(e.code ?? 1) : 0, out, err }),
    );
  });
}

/** A kubectl that keeps running (logs -f, port-forward, attach): its output so far, and a way to wait for more. */
function startKubectl(file: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  const child = spawn(binaries().kubectl, ['--kubeconfig', file, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  child.on('exit', () => children.delete(child));
  const output = { out: '', err: '' };
  child.stdout.on('data', (d: Buffer) => (output.out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output.err += d.toString()));
  return {
    child,
    output,
    waitFor: (re: RegExp, what: string) =>
      eventually(
        what,
        async () => {
          const m = re.exec(output.out);
          if (m) return m;
          if (child.exitCode !== null) throw new Error(`kubectl exited ${child.exitCode}: ${output.err}`);
          return undefined;
        },
        30_000,
      ),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      }),
  };
}

async function kubeconfigFor(client: ApiClient, cluster: string, name: string): Promise<string> {
  const r = await fetch(`${server.url}/api/v1/clusters/${cluster}/kubeconfig`, {
    headers: client.token ? { authorization: `Bearer ${client.token}` } : { cookie: client.cookie ?? '' },
  });
  expect(r.status).toBe(200);
  const file = path.join(dir, `${name}.kubeconfig`);
  writeFileSync(file, await r.text());
  return file;
}

/** A TCP server for port-forward: it greets, then echoes. */
function startEcho(): Promise<net.Server> {
  const s = net.createServer((c) => {
    c.write('hello from the test\n');
    c.pipe(c);
  });
  return new Promise((resolve) => s.listen(0, '127.0.0.1', () => resolve(s)));
}

/** Connects to a local port, sends `text`, and resolves what came back once it holds `text`. */
function roundTrip(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = net.connect(port, '127.0.0.1');
    let got = '';
    const timer = setTimeout(() => {
      c.destroy();
      reject(new Error(`no echo through port ${port}, got "${got}"`));
    }, 15_000);
    c.on('data', (d: Buffer) => {
      got += d.toString();
      if (got.includes(text)) {
        clearTimeout(timer);
        c.end();
        resolve(got);
      }
    });
    c.on('error', reject);
    c.write(text);
  });
}

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

type Relayed = { chunksDown: number; closed: boolean };
type Relay = { port: number; connections: Relayed[]; close: () => void };

/** A TCP relay to the API server that keeps, for each connection through it, how many reads came back and whether it closed. */
function startRelay(target: number): Promise<Relay> {
  const connections: Relayed[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const seen: Relayed = { chunksDown: 0, closed: false };
    connections.push(seen);
    const upstream = net.connect(target, '127.0.0.1');
    sockets.add(client).add(upstream);
    upstream.on('data', () => seen.chunksDown++);
    client.pipe(upstream);
    upstream.pipe(client);
    const close = () => {
      seen.closed = true;
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    for (const s of [client, upstream]) s.on('error', close).on('close', close);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        port: (server.address() as net.AddressInfo).port,
        connections,
        close: () => {
          for (const s of sockets) s.destroy();
          server.close();
        },
      }),
    ),
  );
}

/** The exec URL of a command, as kubectl sends it over WebSocket (v5.channel.k8s.io). */
function execUrl(cluster: string, command: string[]): string {
  const q = new URLSearchParams({ stdout: 'true', stderr: 'true' });
  for (const c of command) q.append('command', c);
  const base = server.url.replace(/^http/, 'ws');
  return `${base}/k8s/clusters/${cluster}/api/v1/namespaces/${ns}/pods/${pod}/exec?${q}`;
}

/**
 * A WebSocket exec by hand on a plain TCP socket (so the test decides how it ends): the upgrade request as
 * kubectl sends it, resolved once the 101 and `text` came back.
 */
function rawExec(cluster: string, command: string[], text: string): Promise<net.Socket> {
  const url = new URL(execUrl(cluster, command));
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
        `Authorization: Bearer ${adminToken}`,
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
  dir = mkdtempSync(path.join(os.tmpdir(), 'streams-'));
  workDir = path.join(dir, 'work');
  logFile = path.join(dir, 'box.log');
  attachFile = path.join(dir, 'attach.log');
  writeFileSync(attachFile, '');
  mkdirSync(workDir);
  writeFileSync(
    logFile,
    ['2024-01-01T00:00:00Z stdout F first line', '2024-01-01T00:00:01Z stdout F second line', ''].join('\n'),
  );
  echo = await startEcho();
  [server, user] = await Promise.all([
    startTestServer(management),
    up({
      name: direct,
      nodes: 1,
      enableCrds: ['ClusterExec', 'ClusterLogs', 'ClusterAttach', 'ClusterPortForward'],
    }),
  ]);
  admin = await ApiClient.signedIn(server.url, 'admin', testAdminPassword);
  adminToken = (await admin.post<{ token: string }>('/api/v1/tokens', { name: 'streams' })).body.token;

  // What kwok simulates: exec runs here in workDir, logs and attach follow files, ports go to the echo server.
  const echoPort = (echo.address() as net.AddressInfo).port;
  const kwok = [
    { kind: 'ClusterExec', metadata: { name: 'here' }, spec: { execs: [{ local: { workDir } }] } },
    {
      kind: 'ClusterLogs',
      metadata: { name: 'file' },
      spec: { logs: [{ logsFile: logFile, follow: true }] },
    },
    { kind: 'ClusterAttach', metadata: { name: 'file' }, spec: { attaches: [{ logsFile: attachFile }] } },
    {
      kind: 'ClusterPortForward',
      metadata: { name: 'echo' },
      spec: { forwards: [{ target: { address: '127.0.0.1', port: echoPort } }] },
    },
  ].map((o) => ({ apiVersion: 'kwok.x-k8s.io/v1alpha1', ...o }));
  await kubectl(user, ['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: kwok }));
  await kubectl(user, ['create', 'namespace', ns]);
  await kubectl(user, ['run', pod, '-n', ns, '--image=busybox']);
  await kubectl(user, ['wait', '-n', ns, `pod/${pod}`, '--for=condition=Ready', '--timeout=60s']);
  // The cluster's RBAC (the platform's controller writes it; here the test does): the admin may do anything,
  // vic may read pods and their logs but not exec into them.
  await kubectl(user, [
    'create',
    'clusterrolebinding',
    `admin-${run}`,
    '--clusterrole=cluster-admin',
    '--user=admin',
  ]);
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

  // Joined directly through a relay that watches each of the server's connections to the API server.
  relay = await startRelay(Number(new URL(user.server).port));
  const relayed = path.join(dir, 'relayed.kubeconfig');
  writeFileSync(
    relayed,
    readFileSync(user.kubeconfig, 'utf8').replace(user.server, `https://127.0.0.1:${relay.port}`),
  );
  await joinDirect(admin, management, direct, relayed);
  // A cluster that is down.
  const dead = path.join(dir, 'dead.kubeconfig');
  writeFileSync(dead, readFileSync(user.kubeconfig, 'utf8').replace(user.server, 'https://127.0.0.1:1'));
  await joinDirect(admin, management, down503, dead);
  // And the same cluster by its agent, through the tunnel.
  joined = await joinByAgent(admin, server, viaAgent, user.kubeconfig);

  // vic reaches the direct cluster through a partition there.
  await admin.post('/api/v1/tenants', {
    metadata: { name: tenant },
    spec: { clusters: [{ cluster: direct, hard: {} }] },
  });
  await admin.post('/api/v1/partitions', {
    metadata: { name: partition },
    spec: { tenant, cluster: direct, namespace: ns },
  });
  await admin.post('/api/v1/users', { metadata: { name: vic }, spec: { password } });
  await admin.post('/api/v1/roletemplatebindings', {
    metadata: { name: `vic-${run}` },
    spec: {
      subject: { kind: 'User', name: vic },
      roleTemplate: 'partition-viewer',
      scope: { level: 'partition', name: partition },
    },
  });
});

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  // kwok does not end the commands it runs when their stream closes.
  for (const pid of processesWith(tickMarker)) process.kill(pid, 'SIGKILL');
  for (const [plural, name] of [
    ['roletemplatebindings', `vic-${run}`],
    ['users', vic],
    ['partitions', partition],
    ['tenants', tenant],
    ['clusters', direct],
    ['clusters', viaAgent],
    ['clusters', down503],
  ] as const) {
    await admin?.del(`/api/v1/${plural}/${name}`);
  }
  await kubectl({ kubeconfig: management }, [
    'delete',
    'secret',
    '-n',
    'shipyard-system',
    `kc-${direct}`,
    `kc-${down503}`,
    '--ignore-not-found',
  ]).catch(() => undefined);
  await joined?.close();
  await server?.close();
  echo?.close();
  relay?.close();
  if (user) await down(user.name);
  rmSync(dir, { recursive: true, force: true });
});

type AuditItem = {
  verb: string;
  kind: string;
  name: string;
  namespace: string;
  user: string;
  outcome: number;
};

async function audited(cluster: string, kind: string): Promise<AuditItem[]> {
  const r = await admin.get<{ items: AuditItem[] }>(`/api/v1/audit?cluster=${cluster}&verb=create`);
  return r.body.items.filter((i) => i.kind === kind);
}

describe('exec, attach, logs and port-forward through the proxy', () => {
  it('runs kubectl exec over WebSocket (v5.channel.k8s.io), audited as create pods/exec', async () => {
    const file = await kubeconfigFor(admin, direct, 'admin');
    const r = await kubectlAs(file, [
      'exec',
      '-n',
      ns,
      pod,
      '-v=7',
      '--',
      'sh',
      '-c',
      'echo out-$((6*7)); echo err >&2; pwd',
    ]);
    expect(r.out).toBe(`out-42\n${workDir}\n`);
    expect(r.err).toContain('The subprotocol is v5.channel.k8s.io');
    expect(r.err).toMatch(/\nerr\n/);
    expect(await audited(direct, 'pods/exec')).toContainEqual(
      expect.objectContaining({ verb: 'create', name: pod, namespace: ns, user: 'admin', outcome: 101 }),
    );
  });

  it('runs kubectl exec over SPDY/3.1 when WebSockets are turned off', async () => {
    const file = await kubeconfigFor(admin, direct, 'admin-spdy');
    const r = await kubectlAs(file, ['exec', '-n', ns, pod, '-v=7', '--', 'sh', '-c', 'echo spdy-ok'], {
      KUBECTL_REMOTE_COMMAND_WEBSOCKETS: 'false',
    });
    expect(r.out).toBe('spdy-ok\n');
    expect(r.err).toContain('X-Stream-Protocol-Version: v4.channel.k8s.io');
    expect(r.err).toContain('101 Switching Protocols');
    expect(r.err).not.toContain('Sec-Websocket-Protocol');
  });

  it('streams kubectl logs -f: lines arrive while the command runs', async () => {
    const file = await kubeconfigFor(admin, direct, 'admin-logs');
    const logs = startKubectl(file, ['logs', '-f', '-n', ns, pod]);
    await logs.waitFor(/first line\nsecond line\n/, 'the first lines');
    appendFileSync(logFile, '2024-01-01T00:00:02Z stdout F written later\n');
    await logs.waitFor(/written later\n/, 'the line written later');
    expect(logs.child.exitCode).toBeNull();
    await logs.stop();
  });

  it('attaches with kubectl attach: what the container writes from then on arrives', async () => {
    const file = await kubeconfigFor(admin, direct, 'admin-attach');
    const attach = startKubectl(file, ['attach', '-n', ns, pod]);
    // kwok's attach follows the file from its end: write until a line arrives (the stream may not be open yet).
    let n = 0;
    const writer = setInterval(
      () => appendFileSync(attachFile, `2024-01-01T00:00:0${n % 10}Z stdout F attached-${n++}\n`),
      300,
    );
    try {
      await attach.waitFor(/attached-\d+\n/, 'the attached output');
    } finally {
      clearInterval(writer);
    }
    expect(attach.child.exitCode).toBeNull();
    await attach.stop();
    expect(await audited(direct, 'pods/attach')).toContainEqual(
      expect.objectContaining({ name: pod, namespace: ns, outcome: 101 }),
    );
  });

  it.each([
    ['WebSocket', {}, /negotiated protocol: portforward\.k8s\.io/],
    ['SPDY', { KUBECTL_PORT_FORWARD_WEBSOCKETS: 'false' }, /X-Stream-Protocol-Version: portforward\.k8s\.io/],
  ] as const)('forwards a port with kubectl port-forward over %s', async (_name, env, protocol) => {
    const file = await kubeconfigFor(admin, direct, `admin-pf-${_name}`);
    const pf = startKubectl(file, ['port-forward', '-n', ns, `pod/${pod}`, ':80', '-v=7'], env);
    const [, port] = await pf.waitFor(/Forwarding from 127\.0\.0\.1:(\d+) -> 80/, 'port-forward to listen');
    const got = await roundTrip(Number(port), `ping-${_name}`);
    expect(got).toBe(`hello from the test\nping-${_name}`);
    // A second connection goes through the same upgraded stream.
    expect(await roundTrip(Number(port), 'again')).toContain('again');
    expect(pf.output.err).toMatch(protocol);
    await pf.stop();
    expect(await audited(direct, 'pods/portforward')).toContainEqual(
      expect.objectContaining({ name: pod, namespace: ns, outcome: 101 }),
    );
  });

  it('works the same through the agent tunnel: exec over both protocols, and port-forward', async () => {
    const file = await kubeconfigFor(admin, viaAgent, 'admin-agent');
    const ws = await kubectlAs(file, ['exec', '-n', ns, pod, '--', 'sh', '-c', 'echo via-agent']);
    expect(ws.out).toBe('via-agent\n');
    const spdy = await kubectlAs(file, ['exec', '-n', ns, pod, '--', 'echo', 'spdy-via-agent'], {
      KUBECTL_REMOTE_COMMAND_WEBSOCKETS: 'false',
    });
    expect(spdy.out).toBe('spdy-via-agent\n');
    const pf = startKubectl(file, ['port-forward', '-n', ns, `pod/${pod}`, ':80']);
    const [, port] = await pf.waitFor(/Forwarding from 127\.0\.0\.1:(\d+) -> 80/, 'port-forward to listen');
    expect(await roundTrip(Number(port), 'tunnel')).toBe('hello from the test\ntunnel');
    await pf.stop();
  });

  it('refuses exec to a user without pods/exec RBAC (Forbidden, both protocols, audited), yet streams their logs', async () => {
    const client = await ApiClient.signedIn(server.url, vic, password);
    const file = await kubeconfigFor(client, direct, 'vic');
    for (const env of [{}, { KUBECTL_REMOTE_COMMAND_WEBSOCKETS: 'false' }]) {
      const r = await kubectlAs(file, ['exec', '-n', ns, pod, '--', 'echo', 'nope'], env);
      expect(r.code).not.toBe(0);
      expect(r.out).toBe('');
      expect(r.err).toContain(`User "${vic}" cannot create resource "pods/exec"`);
    }
    expect(await audited(direct, 'pods/exec')).toContainEqual(
      expect.objectContaining({ user: vic, name: pod, namespace: ns, outcome: 403 }),
    );
    const logs = await kubectlAs(file, ['logs', '-n', ns, pod]);
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
    const counted = relay.connections.map((c) => c.chunksDown);
    await new Promise((r) => setTimeout(r, 1000));
    const busiest = relay.connections
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
    const cookie = admin.cookie ?? '';
    const foreign = await wsExec(
      execUrl(direct, ['echo', 'x']),
      { cookie, origin: 'https://evil.example' },
      'x',
    );
    expect(foreign).toMatchObject({ opened: false, status: 403 });
    const own = await wsExec(
      execUrl(direct, ['echo', 'same-origin']),
      { cookie, origin: server.url },
      'same-origin',
    );
    expect(own.opened).toBe(true);
    if (own.opened) own.ws.close();
  });

  it('answers an upgrade to a cluster that is down with 503 and a reason, fast', async () => {
    const r = await wsExec(execUrl(down503, ['echo', 'x']), { authorization: `Bearer ${adminToken}` }, 'x');
    if (r.opened) throw new Error('an upgrade to a cluster that is down succeeded');
    expect(r.status).toBe(503);
    expect(JSON.parse(r.body)).toMatchObject({
      reason: 'ServiceUnavailable',
      message: expect.stringContaining(down503),
    });
    expect(r.ms).toBeLessThan(5_000);
  });
});
