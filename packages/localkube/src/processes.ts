import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** Whether the process runs: a zombie (exited, not yet reaped by kwokctl, its parent) does not. */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** The live processes kwokctl recorded for a cluster (clusters/NAME/pids/*.pid). */
export function clusterPids(dir: string): { name: string; pid: number }[] {
  const pidDir = path.join(dir, 'pids');
  if (!existsSync(pidDir)) return [];
  return readdirSync(pidDir)
    .filter((f) => f.endsWith('.pid'))
    .map((f) => ({ name: f.slice(0, -4), pid: Number(readFileSync(path.join(pidDir, f), 'utf8').trim()) }))
    .filter((p) => Number.isInteger(p.pid) && p.pid > 0 && alive(p.pid));
}

/** Stops what is left of a cluster's processes: SIGTERM, then SIGKILL after a grace period. */
export async function stopProcesses(dir: string, graceMs = 5000): Promise<void> {
  let left = clusterPids(dir);
  for (const p of left) process.kill(p.pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (left.length > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    left = left.filter((p) => alive(p.pid));
  }
  for (const p of left) process.kill(p.pid, 'SIGKILL');
}

/**
 * Watches a starting cluster's kube-apiserver: once its pid file exists and the process is gone,
 * `signal` aborts (kwokctl itself would keep waiting for it) and `died` says so.
 */
export function watchComponent(dir: string, component: string, everyMs = 250) {
  const controller = new AbortController();
  const pidFile = path.join(dir, 'pids', `${component}.pid`);
  const timer = setInterval(() => {
    if (existsSync(pidFile) && !clusterPids(dir).some((p) => p.name === component)) {
      clearInterval(timer);
      controller.abort();
    }
  }, everyMs);
  return {
    signal: controller.signal,
    died: () => controller.signal.aborted,
    stop: () => clearInterval(timer),
  };
}
