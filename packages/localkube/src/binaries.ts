import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import { LocalkubeError } from './errors.js';
import { binDir } from './paths.js';

export const binaryNames = [
  'etcd',
  'kube-apiserver',
  'kube-controller-manager',
  'kube-scheduler',
  'kubectl',
  'kwok',
  'kwokctl',
  'helm',
] as const;
export type BinaryName = (typeof binaryNames)[number];
export type Binaries = Record<BinaryName, string> & { dir: string };

/** The paths of the local binaries, or a LocalkubeError naming the fix when any is missing. */
export function binaries(dir = binDir()): Binaries {
  const missing = binaryNames.filter((name) => {
    try {
      accessSync(path.join(dir, name), constants.X_OK);
      return false;
    } catch {
      return true;
    }
  });
  if (missing.length > 0) {
    throw new LocalkubeError(
      `missing Kubernetes binaries (${missing.join(', ')}) in ${dir}: run npm run setup`,
    );
  }
  const paths = Object.fromEntries(binaryNames.map((n) => [n, path.join(dir, n)])) as Record<
    BinaryName,
    string
  >;
  return { ...paths, dir };
}
