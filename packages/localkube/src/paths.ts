import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: the nearest folder above this file holding tools/kube/versions.env. */
export function repoRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'tools/kube/versions.env'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('localkube: cannot find tools/kube/versions.env above ' + dir);
    dir = parent;
  }
  return dir;
}

export type KubeVersions = {
  KUBERNETES_VERSION: string;
  ETCD_VERSION: string;
  KWOK_VERSION: string;
  HELM_VERSION: string;
};

export function kubeVersions(root = repoRoot()): KubeVersions {
  const text = readFileSync(path.join(root, 'tools/kube/versions.env'), 'utf8');
  const env = Object.fromEntries(
    text
      .split('\n')
      .map((l) => /^([A-Z_]+)=(\S+)/.exec(l.trim()))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => [m[1], m[2]]),
  ) as Partial<KubeVersions>;
  const { KUBERNETES_VERSION, ETCD_VERSION, KWOK_VERSION, HELM_VERSION } = env;
  if (!KUBERNETES_VERSION || !ETCD_VERSION || !KWOK_VERSION || !HELM_VERSION) {
    throw new Error('localkube: tools/kube/versions.env lacks a version');
  }
  return { KUBERNETES_VERSION, ETCD_VERSION, KWOK_VERSION, HELM_VERSION };
}

/** Where tools/kube/build.sh puts the binaries of the pinned versions (same key as build.sh). */
export function binDir(root = repoRoot()): string {
  if (process.env.LOCALKUBE_BIN_DIR) return process.env.LOCALKUBE_BIN_DIR;
  const v = kubeVersions(root);
  const key = `k8s-${v.KUBERNETES_VERSION}_etcd-${v.ETCD_VERSION}_kwok-${v.KWOK_VERSION}_helm-${v.HELM_VERSION}`;
  return path.join(root, '.cache/kube', key, 'bin');
}

/** kwokctl's work dir: one per machine by default, LOCALKUBE_WORKDIR to separate runs. */
export function workDir(root = repoRoot()): string {
  return process.env.LOCALKUBE_WORKDIR ?? path.join(root, '.cache/localkube');
}
