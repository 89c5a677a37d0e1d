import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { binaries, type Binaries } from './binaries.js';
import { LocalkubeError } from './errors.js';
import { nodeList, type NodeShape } from './nodes.js';
import { workDir } from './paths.js';
import { freePorts, portFree } from './ports.js';
import { clusterPids, stopProcesses, watchComponent } from './processes.js';
import { run } from './run.js';

export type LocalCluster = {
  name: string;
  /** Path of the admin kubeconfig (client certificates, full rights). */
  kubeconfig: string;
  /** https://127.0.0.1:PORT */
  server: string;
};

export type UpOptions = {
  name: string;
  /** Simulated nodes to create (default 1). */
  nodes?: number;
  /** kube-apiserver port on 127.0.0.1 (random when absent). */
  port?: number;
  nodeShape?: NodeShape;
  /** Extra kube-apiserver flags, `name=value`. */
  apiserverArgs?: string[];
  /**
   * kwok CRDs to install and serve from the start, e.g. ClusterExec, ClusterLogs, ClusterPortForward: objects of
   * those kinds, applied with kubectl afterwards, make `kubectl exec`, `logs` and `port-forward` work on the
   * simulated pods. (kwok reads each kind either from these CRDs or from its config file, never both.)
   */
  enableCrds?: KwokCrd[];
  timeoutMs?: number;
};

/**
 * The kwok kinds that can be served as CRDs. Stage is left out on purpose: enabling it drops kwok's default
 * node and pod stages, so nodes would never become Ready.
 */
export type KwokCrd =
  | 'Attach'
  | 'ClusterAttach'
  | 'Exec'
  | 'ClusterExec'
  | 'Logs'
  | 'ClusterLogs'
  | 'PortForward'
  | 'ClusterPortForward'
  | 'ResourceUsage'
  | 'ClusterResourceUsage'
  | 'Metric';

const nameRe = /^[a-z0-9]([-a-z0-9]{0,38}[a-z0-9])?$/;

function clusterDir(name: string): string {
  return path.join(workDir(), 'clusters', name);
}

function checkName(name: string): void {
  if (!nameRe.test(name)) {
    throw new LocalkubeError(
      `invalid cluster name "${name}": use 1-40 lowercase letters, digits and '-', starting and ending alphanumeric`,
    );
  }
}

function env(bins: Binaries): NodeJS.ProcessEnv {
  // kwokctl finds kubectl on PATH; with every binary given by path it downloads nothing.
  return { ...process.env, KWOK_WORKDIR: workDir(), PATH: `${bins.dir}:${process.env.PATH ?? ''}` };
}

/** kwokctl's configuration file for a cluster (exported for its unit test). */
export function kwokctlConfig(bins: Binaries, opts: UpOptions, ports: number[]): string {
  const [apiserver = 0, etcd = 0, etcdPeer = 0, kwok = 0, controllerManager = 0, scheduler = 0] = ports;
  const options: Record<string, unknown> = {
    kubeApiserverPort: opts.port ?? apiserver,
    etcdPort: etcd,
    etcdPeerPort: etcdPeer,
    kwokControllerPort: kwok,
    kubeControllerManagerPort: controllerManager,
    kubeSchedulerPort: scheduler,
    runtime: 'binary',
    bindAddress: '127.0.0.1',
    etcdBinary: bins.etcd,
    kubeApiserverBinary: bins['kube-apiserver'],
    kubeControllerManagerBinary: bins['kube-controller-manager'],
    kubeSchedulerBinary: bins['kube-scheduler'],
    kwokControllerBinary: bins.kwok,
    kubectlBinary: bins.kubectl,
    disableQPSLimits: true,
    ...(opts.enableCrds?.length ? { enableCRDs: [...new Set(opts.enableCrds)] } : {}),
  };
  const apiserverArgs = ['service-cluster-ip-range=10.96.0.0/16', ...(opts.apiserverArgs ?? [])];
  const args = (list: string[]) =>
    list.map((a) => {
      const i = a.indexOf('=');
      return { key: a.slice(0, i), value: a.slice(i + 1) };
    });
  const patches = [
    { name: 'kube-apiserver', extraArgs: args(apiserverArgs) },
    // One instance each: a lease lost under load would make them exit, and nothing restarts them.
    { name: 'kube-controller-manager', extraArgs: args(['leader-elect=false']) },
    { name: 'kube-scheduler', extraArgs: args(['leader-elect=false']) },
  ];
  // JSON is YAML: kwokctl reads the documents as its own configuration and kwok's.
  const kwokctl = {
    apiVersion: 'config.kwok.x-k8s.io/v1alpha1',
    kind: 'KwokctlConfiguration',
    options,
    componentsPatches: patches,
  };
  // kwok plays pod and node stages 4 at a time by default: thousands of pods would take many minutes.
  const kwokConfig = {
    apiVersion: 'config.kwok.x-k8s.io/v1alpha1',
    kind: 'KwokConfiguration',
    options: {
      podPlayStageParallelism: 32,
      nodePlayStageParallelism: 16,
      nodeLeaseParallelism: 16,
      // kwok's kubelet-like server answers exec, logs and port-forward only with its debugging handlers on,
      // which this document would otherwise turn off.
      ...(opts.enableCrds?.length ? { enableDebuggingHandlers: true } : {}),
    },
  };
  return [kwokctl, kwokConfig].map((doc) => JSON.stringify(doc)).join('\n---\n');
}

function serverOf(kubeconfig: string): string {
  const m = /server:\s*(\S+)/.exec(readFileSync(kubeconfig, 'utf8'));
  return m?.[1] ?? '';
}

/** kubectl against a local cluster, as its admin. */
export function kubectl(
  cluster: Pick<LocalCluster, 'kubeconfig'>,
  args: readonly string[],
  input?: string,
): Promise<string> {
  const bins = binaries();
  return run(bins.kubectl, ['--kubeconfig', cluster.kubeconfig, ...args], {
    input,
    env: env(bins),
    timeoutMs: 600_000,
  });
}

/** Adds `count` simulated nodes named `<cluster>-node-<i>` from `first` on, and waits until they are Ready. */
export async function addNodes(
  cluster: LocalCluster,
  opts: { count: number; first?: number; shape?: NodeShape; timeoutMs?: number },
): Promise<void> {
  const chunk = 500;
  const first = opts.first ?? 0;
  for (let i = 0; i < opts.count; i += chunk) {
    const list = nodeList({
      count: Math.min(chunk, opts.count - i),
      first: first + i,
      prefix: `${cluster.name}-node`,
      shape: opts.shape,
    });
    await kubectl(cluster, ['create', '-f', '-'], JSON.stringify(list));
  }
  // One list per poll: `kubectl wait --all` checks nodes one by one, which takes minutes for a thousand.
  const names = new Set(Array.from({ length: opts.count }, (_, i) => `${cluster.name}-node-${first + i}`));
  await waitFor(`${opts.count} nodes Ready`, Date.now() + (opts.timeoutMs ?? 120_000), async () => {
    const out = await kubectl(cluster, [
      'get',
      'nodes',
      '-o',
      'jsonpath={range .items[*]}{.metadata.name}={.status.conditions[?(@.type=="Ready")].status}{"\\n"}{end}',
    ]);
    const ready = out.split('\n').filter((l) => l.endsWith('=True') && names.has(l.slice(0, -5)));
    return ready.length === names.size;
  });
}

function logTail(dir: string, component: string): string {
  const file = path.join(dir, 'logs', `${component}.log`);
  if (!existsSync(file)) return 'no log';
  const lines = readFileSync(file, 'utf8').trim().split('\n');
  return lines.slice(-3).join(' | ');
}

/** Polls until check() is true; a LocalkubeError thrown by check() ends the wait at once. */
async function waitFor(what: string, deadline: number, check: () => Promise<boolean>): Promise<void> {
  for (;;) {
    const done = await check().catch((e: unknown) => {
      if (e instanceof LocalkubeError) throw e;
      return false;
    });
    if (done) return;
    if (Date.now() > deadline) throw new LocalkubeError(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Creates a local cluster and waits until its nodes are Ready and pods can be created. */
export async function up(opts: UpOptions): Promise<LocalCluster> {
  try {
    return await startCluster(opts);
  } catch (err) {
    // Free ports are found by binding port 0 and letting go: another process may take one in between, and
    // kube-apiserver then dies at once (an address in use, or before it logged anything). Try once more with
    // new ports, unless the caller chose the port.
    const portRace =
      err instanceof LocalkubeError &&
      /kube-apiserver exited: (\s*$|.*address already in use)/s.test(err.message);
    if (!portRace || opts.port !== undefined) throw err;
    return startCluster(opts);
  }
}

async function startCluster(opts: UpOptions): Promise<LocalCluster> {
  checkName(opts.name);
  const bins = binaries();
  const dir = clusterDir(opts.name);
  if (existsSync(dir)) {
    throw new LocalkubeError(`cluster "${opts.name}" already exists: run localkube down ${opts.name} first`);
  }
  if (opts.port !== undefined && !(await portFree(opts.port))) {
    throw new LocalkubeError(
      `port ${opts.port} is already in use on 127.0.0.1: choose another --port or omit it`,
    );
  }
  const deadline = Date.now() + (opts.timeoutMs ?? 180_000);
  const configFile = path.join(workDir(), `${opts.name}.kwokctl.yaml`);
  mkdirSync(workDir(), { recursive: true });
  writeFileSync(configFile, kwokctlConfig(bins, opts, await freePorts(6)));
  try {
    // kwokctl keeps waiting for an apiserver that died: watch it, and stop kwokctl when it does.
    const apiserver = watchComponent(dir, 'kube-apiserver');
    await run(
      bins.kwokctl,
      ['create', 'cluster', '--name', opts.name, '--config', configFile, '--kubeconfig', '', '--wait', '0s'],
      { env: env(bins), timeoutMs: Math.max(10_000, deadline - Date.now()), signal: apiserver.signal },
    )
      .catch((e: unknown) => {
        throw apiserver.died()
          ? new LocalkubeError(`kube-apiserver exited: ${logTail(dir, 'kube-apiserver')}`)
          : e;
      })
      .finally(apiserver.stop);
    const kubeconfig = path.join(dir, 'kubeconfig.yaml');
    const cluster: LocalCluster = { name: opts.name, kubeconfig, server: serverOf(kubeconfig) };
    await waitFor('kube-apiserver', deadline, async () => {
      if (!clusterPids(dir).some((p) => p.name === 'kube-apiserver')) {
        throw new LocalkubeError(`kube-apiserver exited: ${logTail(dir, 'kube-apiserver')}`);
      }
      return (await kubectl(cluster, ['get', '--raw', '/readyz'])) === 'ok';
    });
    await addNodes(cluster, {
      count: opts.nodes ?? 1,
      shape: opts.nodeShape,
      timeoutMs: deadline - Date.now(),
    });
    await waitFor('the default service account', deadline, async () => {
      await kubectl(cluster, ['get', 'serviceaccount', 'default', '-n', 'default']);
      return true;
    });
    return cluster;
  } catch (err) {
    await removeCluster(opts.name, bins).catch(() => undefined);
    if (err instanceof LocalkubeError) throw err;
    throw new LocalkubeError(`could not start cluster "${opts.name}": ${(err as Error).message}`);
  } finally {
    rmSync(configFile, { force: true });
  }
}

async function removeCluster(name: string, bins: Binaries): Promise<void> {
  const dir = clusterDir(name);
  // kwokctl wants a kubeconfig to remove the cluster's context from: give it one nobody uses.
  const unused = path.join(workDir(), 'kwokctl-unused-kubeconfig.yaml');
  await run(bins.kwokctl, ['delete', 'cluster', '--name', name, '--kubeconfig', unused], {
    env: env(bins),
    timeoutMs: 60_000,
  }).finally(async () => {
    // Whatever kwokctl left running (it failed, or was interrupted) is stopped before the files go.
    await stopProcesses(dir);
    rmSync(dir, { recursive: true, force: true });
  });
}

/** Stops a local cluster's processes and removes its files. */
export async function down(name: string): Promise<void> {
  checkName(name);
  if (!existsSync(clusterDir(name))) {
    throw new LocalkubeError(`no local cluster named "${name}": see localkube list`);
  }
  await removeCluster(name, binaries());
}

/** The clusters in the work dir. */
export function list(): LocalCluster[] {
  const root = path.join(workDir(), 'clusters');
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .filter((name) => existsSync(path.join(root, name, 'kubeconfig.yaml')))
    .map((name) => {
      const kubeconfig = path.join(root, name, 'kubeconfig.yaml');
      return { name, kubeconfig, server: serverOf(kubeconfig) };
    });
}

/** Stops and removes every local cluster. */
export async function downAll(): Promise<string[]> {
  const root = path.join(workDir(), 'clusters');
  const names = existsSync(root) ? readdirSync(root) : [];
  const bins = binaries();
  for (const name of names) await removeCluster(name, bins);
  return names;
}

/** The named cluster, or a LocalkubeError. */
export function get(name: string): LocalCluster {
  checkName(name);
  const found = list().find((c) => c.name === name);
  if (!found) throw new LocalkubeError(`no local cluster named "${name}": see localkube list`);
  return found;
}
