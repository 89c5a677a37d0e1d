export { binaries, binaryNames, type Binaries, type BinaryName } from './binaries.js';
export {
  addNodes,
  down,
  downAll,
  get,
  kubectl,
  list,
  up,
  type KwokCrd,
  type LocalCluster,
  type UpOptions,
} from './cluster.js';
export { LocalkubeError } from './errors.js';
export { defaultNodeShape, type NodeShape } from './nodes.js';
export { binDir, kubeVersions, repoRoot, workDir } from './paths.js';
export { portFree } from './ports.js';
