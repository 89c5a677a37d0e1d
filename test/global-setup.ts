import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { downAll, repoRoot, up } from '@shipyard/localkube';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Admin kubeconfig of the run's shared local cluster. */
    kubeconfig: string;
    clusterName: string;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Processes still running from a run directory whose test process is gone, even if the directory is not. */
function orphans(root: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    let cmd: string;
    try {
      cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      continue; // ended while we looked
    }
    const run = cmd.startsWith(root + '/') ? Number(cmd.slice(root.length + 1).split('/')[0]) : NaN;
    if (Number.isInteger(run) && !alive(run)) pids.push(pid);
  }
  return pids;
}

/** Removes the clusters of earlier runs whose test process is gone (a run that was killed). */
async function removeLeftovers(root: string): Promise<void> {
  for (const pid of orphans(root)) process.kill(pid, 'SIGKILL');
  if (!existsSync(root)) return;
  for (const entry of readdirSync(root)) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || alive(pid)) continue;
    process.env.LOCALKUBE_WORKDIR = path.join(root, entry);
    await downAll();
    rmSync(process.env.LOCALKUBE_WORKDIR, { recursive: true, force: true });
  }
}

/** One local cluster per test run, in a work dir of its own (runs side by side do not meet); removed at the end. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const root = path.join(repoRoot(), '.cache/localkube-test');
  await removeLeftovers(root);
  const dir = path.join(root, String(process.pid));
  process.env.LOCALKUBE_WORKDIR = dir;
  const cluster = await up({ name: 'shared', nodes: 3 });
  project.provide('kubeconfig', cluster.kubeconfig);
  project.provide('clusterName', cluster.name);
  return async () => {
    process.env.LOCALKUBE_WORKDIR = dir;
    await downAll();
    rmSync(dir, { recursive: true, force: true });
  };
}
