// How large a local cluster this machine runs: `npx tsx bench/cluster-scale.ts [--nodes 1000] [--pods 10000]`.
// Starts its own cluster, creates the nodes and Deployments totalling the pods, and reports the time until
// every pod is Running and the control plane's memory (RSS of etcd, apiserver, controller-manager,
// scheduler, kwok). The cluster is removed at the end.
import { readdirSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { down, kubectl, up } from '@shipyard/localkube';

const { values } = parseArgs({ options: { nodes: { type: 'string' }, pods: { type: 'string' } } });
const nodes = Number(values.nodes ?? 1000);
const pods = Number(values.pods ?? 10_000);
const name = `scale-${process.pid}`;

function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

/** RSS per control-plane component of this cluster, read from /proc. */
function controlPlaneMemory(): Record<string, number> {
  const marker = `/clusters/${name}/bin/`;
  const out: Record<string, number> = {};
  for (const pid of readdirSync('/proc').map(Number).filter(Number.isInteger)) {
    let cmd: string;
    try {
      cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!cmd.includes(marker)) continue;
      const component = cmd.split(marker)[1]?.split('\0')[0] ?? '?';
      out[component] = (out[component] ?? 0) + rssMiB(pid);
    } catch {
      continue; // the process ended while we looked
    }
  }
  return out;
}

const t0 = Date.now();
const cluster = await up({ name, nodes, timeoutMs: 900_000 });
const tNodes = Date.now();
console.log(`${nodes} nodes Ready in ${((tNodes - t0) / 1000).toFixed(1)} s`);
try {
  const perDeployment = 500;
  const deployments = Math.ceil(pods / perDeployment);
  const list = {
    apiVersion: 'v1',
    kind: 'List',
    items: Array.from({ length: deployments }, (_, i) => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: `load-${i}`, namespace: 'default' },
      spec: {
        replicas: Math.min(perDeployment, pods - i * perDeployment),
        selector: { matchLabels: { app: `load-${i}` } },
        template: {
          metadata: { labels: { app: `load-${i}` } },
          spec: {
            containers: [
              { name: 'c', image: 'nginx', resources: { requests: { cpu: '10m', memory: '16Mi' } } },
            ],
          },
        },
      },
    })),
  };
  const t1 = Date.now();
  await kubectl(cluster, ['create', '-f', '-'], JSON.stringify(list));
  let running = 0;
  let peak: Record<string, number> = {};
  while (running < pods) {
    await new Promise((r) => setTimeout(r, 5000));
    const out = await kubectl(cluster, [
      'get',
      'pods',
      '-A',
      '--field-selector=status.phase=Running',
      '--no-headers',
      '-o',
      'name',
    ]);
    running = out.trim() ? out.trim().split('\n').length : 0;
    const mem = controlPlaneMemory();
    const total = Object.values(mem).reduce((a, b) => a + b, 0);
    if (total > Object.values(peak).reduce((a, b) => a + b, 0)) peak = mem;
    console.log(
      `${((Date.now() - t1) / 1000).toFixed(0)} s: ${running}/${pods} Running, control plane ${total.toFixed(0)} MiB`,
    );
    if (Date.now() - t1 > 1_800_000) throw new Error('pods not Running after 30 minutes');
  }
  const tPods = Date.now();
  const mem = controlPlaneMemory();
  console.log(
    JSON.stringify(
      {
        nodes,
        pods,
        nodesReadySeconds: (tNodes - t0) / 1000,
        podsRunningSeconds: (tPods - t1) / 1000,
        controlPlaneMiB: Object.fromEntries(Object.entries(mem).map(([k, v]) => [k, Math.round(v)])),
        controlPlaneTotalMiB: Math.round(Object.values(mem).reduce((a, b) => a + b, 0)),
        peakTotalMiB: Math.round(Object.values(peak).reduce((a, b) => a + b, 0)),
      },
      null,
      2,
    ),
  );
} finally {
  await down(name);
}
