/**
 * The tunnel end to end against the run's local cluster, as the tunnel integration files share it: the hub
 * behind a plain HTTP + WebSocket server on 127.0.0.1, the real agent as a process (packages/agent, through its
 * bin, with --kubeconfig), and TLS from this process to the real kube-apiserver through the tunnel with the
 * cluster's CA and admin certificate. A counting TCP relay sits between the agent and the API server, to watch
 * the agent's connections. tunnelRig() starts it all in beforeAll (one agent, connected) and stops it in afterAll.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import https from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { pino } from 'pino';
import { afterAll, beforeAll, inject } from 'vitest';
import { createNamespace, deleteNamespace, eventually, loadKubeConfig } from '../runtime/testing/cluster.js';
import { AgentProcess } from '../tunnel/testing/agent-process.js';
import { CountingProxy } from '../tunnel/testing/counting-proxy.js';
import { startTunnelServer, type TunnelServer } from '../tunnel/testing/tunnel-server.js';
import { TunnelAgent } from '../tunnel/tunnel-agent.js';
import { TunnelHub } from '../tunnel/tunnel-hub.js';

/** The cluster the agent serves. */
export const CLUSTER = 'user-1';
// Agent tokens have the server's shape (the agent tells them from registration tokens by it).
const TOKEN = `sya_000000000001_${'a'.repeat(43)}`;

export type Reply = { status: number; body: string };
export type Creds = { ca: Buffer; cert: Buffer; key: Buffer };

export type TunnelRig = {
  // Set in beforeAll.
  kc: KubeConfig;
  /** The cluster's CA and admin certificate and key. */
  creds: Creds;
  /** The API server's port on 127.0.0.1. */
  apiPort: number;
  /** The relay between the agent and the API server. */
  proxy: CountingProxy;
  hub: TunnelHub;
  server: TunnelServer;
  /** A kubeconfig that points at the relay, as the agent is given it. */
  agentKubeconfig: string;
  /** A namespace of the file's own. */
  ns: string;
  /** Every agent started, first first. */
  agents: AgentProcess[];
  /** Keep-alive connections through the tunnel, as the server's kube client will use them. */
  pooled: TunnelAgent;
  /** Starts another agent of CLUSTER. */
  startAgent(): AgentProcess;
  /** Waits until an agent of CLUSTER is connected. */
  connected(): Promise<void>;
  /** One request to the API server; through the tunnel unless `agent` says otherwise. */
  request(opts: { path: string; method?: string; body?: unknown; agent?: https.Agent }): Promise<Reply>;
  /** Starts a request and resolves with its response, still unread. */
  open(path: string, agent: https.Agent): Promise<{ res: IncomingMessage; abort: () => void }>;
};

function fileOrData(file: string | undefined, data: string | undefined): Buffer {
  if (file) return readFileSync(file);
  if (data) return Buffer.from(data, 'base64');
  throw new Error('the kubeconfig lacks a CA, client certificate or key');
}

export function tunnelRig(): TunnelRig {
  let dir: string | undefined;
  const rig = {
    ns: `tunnel-${Date.now().toString(36)}`,
    agents: [],
    startAgent: () => {
      const a = new AgentProcess([
        '--server',
        rig.server.baseUrl,
        '--token',
        TOKEN,
        '--kubeconfig',
        rig.agentKubeconfig,
      ]);
      rig.agents.push(a);
      return a;
    },
    connected: async () => {
      await eventually('the agent connects', () => rig.hub.has(CLUSTER), 30_000);
    },
    request: (opts) =>
      new Promise((resolve, reject) => {
        const req = https.request(
          {
            host: '127.0.0.1',
            port: rig.apiPort,
            path: opts.path,
            method: opts.method ?? 'GET',
            agent: opts.agent ?? rig.pooled,
            headers: { accept: 'application/json', 'content-type': 'application/json' },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () =>
              resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }),
            );
            res.on('error', reject);
          },
        );
        req.on('error', reject);
        req.end(opts.body === undefined ? undefined : JSON.stringify(opts.body));
      }),
    open: (path, agent) =>
      new Promise((resolve, reject) => {
        const req = https.get({ host: '127.0.0.1', port: rig.apiPort, path, agent }, (res) =>
          resolve({ res, abort: () => req.destroy() }),
        );
        req.on('error', reject);
      }),
  } as Pick<TunnelRig, 'ns' | 'agents' | 'startAgent' | 'connected' | 'request' | 'open'> as TunnelRig;

  beforeAll(async () => {
    const kubeconfig = inject('kubeconfig');
    rig.kc = loadKubeConfig(kubeconfig);
    const cluster = rig.kc.getCurrentCluster();
    const user = rig.kc.getCurrentUser();
    if (!cluster || !user) throw new Error('no current cluster or user');
    rig.creds = {
      ca: fileOrData(cluster.caFile, cluster.caData),
      cert: fileOrData(user.certFile, user.certData),
      key: fileOrData(user.keyFile, user.keyData),
    };
    const url = new URL(cluster.server);
    rig.apiPort = Number(url.port);
    rig.proxy = await CountingProxy.start({ host: url.hostname, port: rig.apiPort });
    // The agent's kubeconfig points at the relay; it uses only the server address from it.
    dir = mkdtempSync(path.join(tmpdir(), 'tunnel-int-'));
    rig.agentKubeconfig = path.join(dir, 'kubeconfig');
    writeFileSync(
      rig.agentKubeconfig,
      readFileSync(kubeconfig, 'utf8').replace(cluster.server, `https://127.0.0.1:${rig.proxy.port}`),
    );
    rig.hub = new TunnelHub({
      pingIntervalMs: 1_000,
      pingTimeoutMs: 3_000,
      drainMs: 5_000,
      logger: pino({ level: 'silent' }),
    });
    rig.server = await startTunnelServer(rig.hub, { [TOKEN]: CLUSTER });
    rig.pooled = new TunnelAgent({ hub: rig.hub, cluster: CLUSTER, ...rig.creds, keepAlive: true });
    rig.startAgent();
    await rig.connected();
    await createNamespace(rig.kc, rig.ns);
  });

  afterAll(async () => {
    await Promise.all(rig.agents.map((a) => a.stop()));
    rig.pooled?.destroy();
    await rig.hub?.close();
    await rig.server?.close();
    await rig.proxy?.close();
    if (rig.kc) await deleteNamespace(rig.kc, rig.ns);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  return rig;
}
