// npm start: the platform on embedded defaults — a local management cluster, the server, and a local user
// cluster joined through its agent.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { get, list, repoRoot, up } from '@shipyard/localkube';
import { adminPasswordNotice, configFrom, startServer } from '@shipyard/server';

const managementName = 'shipyard-management';
const userName = 'shipyard-user';
/** The name the user cluster has in Shipyard. */
const userCluster = 'local';

async function cluster(name: string, nodes: number) {
  if (list().some((c) => c.name === name)) return get(name);
  console.log(`starting local cluster ${name}…`);
  return up({ name, nodes });
}

const [management, user] = await Promise.all([cluster(managementName, 1), cluster(userName, 3)]);
const config = configFrom(process.argv.slice(2), process.env);
const dataDir = process.env.SHIPYARD_DATA_DIR ?? path.join(repoRoot(), '.cache/shipyard');
const server = await startServer({ ...config, kubeconfig: management.kubeconfig, dataDir });

// The agent keeps its credential in a state file: only its first start needs a registration token. If the
// server no longer knows that credential (its management cluster was recreated), it registers anew.
mkdirSync(dataDir, { recursive: true });
const state = path.join(dataDir, `agent-${userCluster}.json`);
const agentBin = path.join(repoRoot(), 'packages/agent/bin/shipyard-agent.js');
const refusedExit = 4;
let agent: ChildProcess | undefined;
let stopping = false;
async function startAgent(): Promise<void> {
  const args = ['--server', server.url, '--kubeconfig', user.kubeconfig, '--state', state];
  if (!existsSync(state))
    args.push('--token', await server.registrationToken(userCluster, 'Local user cluster'));
  const child = spawn(process.execPath, [agentBin, ...args], { stdio: ['ignore', 'inherit', 'inherit'] });
  agent = child;
  child.once('exit', (code) => {
    if (stopping || code !== refusedExit || !existsSync(state)) return;
    rmSync(state, { force: true });
    void startAgent();
  });
}
await startAgent();

console.log(`
Shipyard is up at ${server.url} (HTTPS for kubectl and helm: ${server.tlsUrl})
  management cluster: ${management.server} (kubeconfig ${management.kubeconfig})
  user cluster "${userCluster}": ${user.server}, joined through its agent (state ${state})
  ${adminPasswordNotice(server.adminPassword)}
  stop with Ctrl-C; npx localkube down --all removes the clusters.`);
await new Promise<void>((resolve) => {
  const stop = () => {
    stopping = true;
    agent?.kill('SIGTERM');
    void server.stop().then(resolve);
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
});
