import { stringify } from 'yaml';
import { crdFor } from './crd.js';
import { kindList } from './registry.js';

/** Every platform CRD as one multi-document YAML file (deploy/crds/shipyard.dev.yaml holds its output). */
export function crdsYaml(): string {
  const header = '# Generated from packages/api by `npm run gen:crds`. Do not edit.\n';
  return header + kindList.map((d) => '---\n' + stringify(crdFor(d), { lineWidth: 0 })).join('');
}
