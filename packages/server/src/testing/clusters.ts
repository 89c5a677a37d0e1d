/**
 * Joining user clusters to a test server the two ways a person does: a kubeconfig kept in a Secret (direct),
 * or the real agent, registered with a one-time token and dialing the server's tunnel.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { kubectl } from '@shipyard/localkube';
import { AgentProcess } from '../tunnel/testing/agent-process.js';
import { eventually, type ApiClient } from './server.js';

/** A Cluster reached with a kubeconfig: the Secret lives in the management cluster's shipyard-system. */
export async function joinDirect(
  admin: ApiClient,
  management: string,
  name: string,
  kubeconfig: string,
): Promise<void> {
  await kubectl({ kubeconfig: management }, [
    'create',
    'secret',
    'generic',
    `kc-${name}`,
    '-n',
    'shipyard-system',
    `--from-file=kubeconfig=${kubeconfig}`,
  ]);
  const r = await admin.post('/api/v1/clusters', {
    metadata: { name },
    spec: { connection: { mode: 'direct', kubeconfigSecret: `kc-${name}` } },
  });
  if (r.status !== 201) throw new Error(`create cluster ${name}: ${r.status} ${JSON.stringify(r.body)}`);
}

/** Undoes joinDirect for each of `names`: deletes the Cluster and its Secret; either may be gone already. */
export async function leaveDirect(opts: {
  admin: ApiClient | undefined;
  management: string;
  names: string[];
}): Promise<void> {
  for (const name of opts.names) await opts.admin?.del(`/api/v1/clusters/${name}`);
  await kubectl({ kubeconfig: opts.management }, [
    'delete',
    'secret',
    '-n',
    'shipyard-system',
    ...opts.names.map((name) => `kc-${name}`),
    '--ignore-not-found',
  ]).catch(() => undefined);
}

export type JoinedAgent = {
  /** The running agent process. */
  agent: AgentProcess;
  /** Where it keeps its credential between starts. */
  stateFile: string;
  /** Starts the agent again (after stop()), reusing its saved credential. */
  start(): AgentProcess;
  stop(): Promise<void>;
  /** Stops the agent and removes its state. */
  close(): Promise<void>;
};

/** Creates a Cluster joined by agent, gets a registration token, and runs the real agent with it. */
export async function joinByAgent(
  admin: ApiClient,
  server: { url: string; ca: string },
  name: string,
  kubeconfig: string,
  opts: { createCluster?: boolean } = {},
): Promise<JoinedAgent> {
  if (opts.createCluster !== false) {
    const c = await admin.post('/api/v1/clusters', {
      metadata: { name },
      spec: { connection: { mode: 'agent' } },
    });
    if (c.status !== 201) throw new Error(`create cluster ${name}: ${c.status} ${JSON.stringify(c.body)}`);
  }
  const r = await admin.post<{ token: string }>(`/api/v1/clusters/${name}/registrations`, {});
  if (r.status !== 201) throw new Error(`registration of ${name}: ${r.status} ${JSON.stringify(r.body)}`);
  const dir = mkdtempSync(path.join(os.tmpdir(), `agent-${name}-`));
  const stateFile = path.join(dir, 'state.json');
  const args = ['--server', server.url, '--kubeconfig', kubeconfig, '--state', stateFile];
  let agent = new AgentProcess([...args, '--token', r.body.token]);
  const joined: JoinedAgent = {
    get agent() {
      return agent;
    },
    stateFile,
    start: () => (agent = new AgentProcess(args)),
    stop: () => agent.stop(),
    close: async () => {
      await agent.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    await reachable(admin, name, () => agent);
  } catch (err) {
    await joined.close();
    throw err;
  }
  return joined;
}

async function reachable(admin: ApiClient, name: string, agentNow: () => AgentProcess): Promise<void> {
  await eventually(
    `cluster ${name} answers through its agent`,
    async () => {
      const v = await admin.get(`/k8s/clusters/${name}/version`);
      if (v.status === 200) return true;
      const agent = agentNow();
      if (agent.child.exitCode !== null) {
        throw new Error(`the agent of ${name} exited ${agent.child.exitCode}: ${agent.lines.join('\n')}`);
      }
      return undefined;
    },
    60_000,
  );
}
