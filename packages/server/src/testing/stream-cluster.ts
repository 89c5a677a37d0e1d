/**
 * A user cluster for exec, attach, logs -f and port-forward through /k8s/clusters/{c} (the stream test files
 * share it, so that each sets it up the same way and pays for one cluster). Its kwok runs exec commands on this
 * host in a work dir of the test, follows a log file and an attach file the test writes, and forwards pod ports
 * to a TCP echo server the test runs. It runs one pod, and the admin may do anything in it. A test server of its
 * own joins it directly, through a TCP relay that watches each of the server's connections to the API server.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { down, kubectl, up, type LocalCluster } from '@shipyard/localkube';
import { joinDirect, leaveDirect } from './clusters.js';
import { ApiClient, eventually, startTestServer, type TestServer } from './server.js';

export type StreamCluster = {
  /** The local cluster, and the name of the direct Cluster that reaches it through the relay. */
  user: LocalCluster;
  name: string;
  ns: string;
  pod: string;
  server: TestServer;
  admin: ApiClient;
  /** An API token of the admin, for requests made by hand. */
  adminToken: string;
  /** A temporary dir of the test's, removed by close(). */
  dir: string;
  /** Where kwok runs exec commands. */
  workDir: string;
  /** What `kubectl logs` reads: two lines to begin with. */
  logFile: string;
  /** What `kubectl attach` follows from its end. */
  attachFile: string;
  relay: Relay;
  /** The exec URL of a command in the pod, as kubectl sends it over WebSocket (v5.channel.k8s.io). */
  execUrl(cluster: string, command: string[]): string;
  /** The audited creates of a subresource (pods/exec…) on a cluster. */
  audited(cluster: string, kind: string): Promise<AuditItem[]>;
  /** Deletes the direct Cluster and its Secret, stops the server and the cluster, and removes the dir. */
  close(): Promise<void>;
};

export type AuditItem = {
  verb: string;
  kind: string;
  name: string;
  namespace: string;
  user: string;
  outcome: number;
};

/** Starts the cluster `name` (with namespace `ns`) and a test server against `management`, and joins them. */
export async function startStreamCluster(opts: {
  management: string;
  name: string;
  ns: string;
}): Promise<StreamCluster> {
  const { management, name, ns } = opts;
  const pod = 'box';
  const dir = mkdtempSync(path.join(os.tmpdir(), 'streams-'));
  const workDir = path.join(dir, 'work');
  const logFile = path.join(dir, 'box.log');
  const attachFile = path.join(dir, 'attach.log');
  writeFileSync(attachFile, '');
  mkdirSync(workDir);
  writeFileSync(
    logFile,
    ['2024-01-01T00:00:00Z stdout F first line', '2024-01-01T00:00:01Z stdout F second line', ''].join('\n'),
  );
  const echo = await startEcho();
  let server: TestServer | undefined;
  let user: LocalCluster | undefined;
  let relay: Relay | undefined;
  const close = async () => {
    await server?.close();
    echo.close();
    relay?.close();
    if (user) await down(user.name);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    // Started together; each kept as soon as it runs, so that close() stops it whatever fails.
    const starting = [
      startTestServer(management).then((s) => (server = s)),
      up({
        name,
        nodes: 1,
        enableCrds: ['ClusterExec', 'ClusterLogs', 'ClusterAttach', 'ClusterPortForward'],
      }).then((u) => (user = u)),
    ] as const;
    await Promise.allSettled(starting);
    [server, user] = await Promise.all(starting);
    const admin = await ApiClient.asAdmin(server.url);
    const adminToken = (await admin.post<{ token: string }>('/api/v1/tokens', { name: 'streams' })).body
      .token;
    await configureKwok(user, {
      workDir,
      logFile,
      attachFile,
      echoPort: (echo.address() as net.AddressInfo).port,
    });
    await kubectl(user, ['create', 'namespace', ns]);
    await kubectl(user, ['run', pod, '-n', ns, '--image=busybox']);
    await kubectl(user, ['wait', '-n', ns, `pod/${pod}`, '--for=condition=Ready', '--timeout=60s']);
    await untilKwokConfigured(user, ns, pod);
    // The cluster's RBAC (the platform's controller writes it; here the test does): the admin may do anything.
    await kubectl(user, [
      'create',
      'clusterrolebinding',
      `admin-${name}`,
      '--clusterrole=cluster-admin',
      '--user=admin',
    ]);

    relay = await startRelay(Number(new URL(user.server).port));
    const relayed = path.join(dir, 'relayed.kubeconfig');
    writeFileSync(
      relayed,
      readFileSync(user.kubeconfig, 'utf8').replace(user.server, `https://127.0.0.1:${relay.port}`),
    );
    await joinDirect(admin, management, name, relayed);
    const base = server.url.replace(/^http/, 'ws');
    return {
      user,
      name,
      ns,
      pod,
      server,
      admin,
      adminToken,
      dir,
      workDir,
      logFile,
      attachFile,
      relay,
      execUrl: (cluster, command) => {
        const q = new URLSearchParams({ stdout: 'true', stderr: 'true' });
        for (const c of command) q.append('command', c);
        return `${base}/k8s/clusters/${cluster}/api/v1/namespaces/${ns}/pods/${pod}/exec?${q}`;
      },
      audited: async (cluster, kind) => {
        const r = await admin.get<{ items: AuditItem[] }>(`/api/v1/audit?cluster=${cluster}&verb=create`);
        return r.body.items.filter((i) => i.kind === kind);
      },
      close: async () => {
        await leaveDirect({ admin, management, names: [name] });
        await close();
      },
    };
  } catch (err) {
    await close();
    throw err;
  }
}

/** What kwok simulates: exec runs here in workDir, logs and attach follow files, ports go to the echo server. */
async function configureKwok(
  user: LocalCluster,
  at: { workDir: string; logFile: string; attachFile: string; echoPort: number },
): Promise<void> {
  const kwok = [
    {
      kind: 'ClusterExec',
      metadata: { name: 'here' },
      spec: { execs: [{ local: { workDir: at.workDir } }] },
    },
    {
      kind: 'ClusterLogs',
      metadata: { name: 'file' },
      spec: { logs: [{ logsFile: at.logFile, follow: true }] },
    },
    { kind: 'ClusterAttach', metadata: { name: 'file' }, spec: { attaches: [{ logsFile: at.attachFile }] } },
    {
      kind: 'ClusterPortForward',
      metadata: { name: 'echo' },
      spec: { forwards: [{ target: { address: '127.0.0.1', port: at.echoPort } }] },
    },
  ].map((o) => ({ apiVersion: 'kwok.x-k8s.io/v1alpha1', ...o }));
  await kubectl(user, ['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: kwok }));
}

/**
 * kwok reads its ClusterExec and ClusterLogs from a watch, so a busy machine may have it still without them
 * after the apply (an exec then says nothing and logs are "not found"): waits, on the cluster directly, until
 * both work.
 */
async function untilKwokConfigured(user: LocalCluster, ns: string, pod: string): Promise<void> {
  const tries = async (args: string[], expected: string) => {
    try {
      return (await kubectl(user, args)).includes(expected) ? true : undefined;
    } catch {
      return undefined; // not configured yet
    }
  };
  await eventually(
    'kwok to run exec in the pod',
    () => tries(['exec', '-n', ns, pod, '--', 'echo', 'kwok-exec-ready'], 'kwok-exec-ready'),
    60_000,
  );
  await eventually(
    "kwok to serve the pod's logs",
    () => tries(['logs', '-n', ns, pod], 'first line'),
    60_000,
  );
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
export function roundTrip(port: number, text: string): Promise<string> {
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

export type Relayed = { chunksDown: number; closed: boolean };
export type Relay = { port: number; connections: Relayed[]; close: () => void };

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
