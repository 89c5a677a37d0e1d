/**
 * The run's one local cluster, shared by every project that needs one (integration, e2e): vitest runs each
 * project's global setup, and global-setup.ts would start a cluster for each. The first project to ask starts
 * it; the others get the same kubeconfig; the last one to finish tears it down. Global setups of one run
 * share this process, hence the global.
 */
import type { TestProject } from 'vitest/node';
import startSharedCluster from './global-setup.js';

type Shared = {
  users: number;
  started: Promise<{ kubeconfig: string; clusterName: string; teardown: () => Promise<void> }>;
};

const slot = '__shipyardSharedCluster';
const shared = globalThis as typeof globalThis & { [slot]?: Shared };

async function start(project: TestProject): Promise<Awaited<Shared['started']>> {
  const teardown = await startSharedCluster(project);
  const { kubeconfig, clusterName } = project.getProvidedContext();
  return { kubeconfig, clusterName, teardown };
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const s = (shared[slot] ??= { users: 0, started: start(project) });
  s.users++;
  const { kubeconfig, clusterName } = await s.started;
  project.provide('kubeconfig', kubeconfig);
  project.provide('clusterName', clusterName);
  return async () => {
    if (--s.users > 0) return;
    delete shared[slot];
    await (await s.started).teardown();
  };
}
