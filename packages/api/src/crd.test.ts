import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { crdFor, toStructural } from './crd.js';
import { crdsYaml } from './crd-yaml.js';
import { kindList } from './registry.js';

function everyNodeTyped(node: Record<string, unknown>, at: string): string[] {
  const bad = 'type' in node ? [] : [at];
  const props = (node.properties ?? {}) as Record<string, Record<string, unknown>>;
  for (const [k, v] of Object.entries(props)) bad.push(...everyNodeTyped(v, `${at}.${k}`));
  for (const key of ['items', 'additionalProperties'] as const) {
    const child = node[key];
    if (child && typeof child === 'object')
      bad.push(...everyNodeTyped(child as Record<string, unknown>, `${at}[]`));
  }
  return bad;
}

describe('CRDs', () => {
  it('are structural for every kind, with a status subresource', () => {
    for (const d of kindList) {
      const crd = crdFor(d);
      const v = crd.spec.versions[0];
      expect(v?.subresources).toEqual({ status: {} });
      const schema = v?.schema.openAPIV3Schema as unknown as Record<string, unknown>;
      expect(everyNodeTyped(schema, d.kind)).toEqual([]);
      expect(JSON.stringify(schema)).not.toMatch(/\$schema|propertyNames|"additionalProperties":false/);
    }
  });

  it('refuse a schema node without a type', () => {
    expect(() => toStructural({ anyOf: [{ type: 'string' }, { type: 'number' }] })).toThrow(/without a type/);
  });

  it('deploy/crds/shipyard.dev.yaml is the generated output (run npm run gen:crds)', () => {
    const file = path.resolve(import.meta.dirname, '../../../deploy/crds/shipyard.dev.yaml');
    expect(readFileSync(file, 'utf8')).toBe(crdsYaml());
  });
});
