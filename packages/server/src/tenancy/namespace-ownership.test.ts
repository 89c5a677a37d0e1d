import { describe, expect, it } from 'vitest';
import { labelledOwner, ownsNamespace, reservedNamespace } from './namespace-ownership.js';

const ns = (name: string, labels?: Record<string, string>, manager?: string) => ({
  metadata: {
    name,
    ...(labels ? { labels } : {}),
    ...(manager ? { managedFields: [{ manager, operation: 'Apply' }] } : {}),
  },
});
const ours = (partition: string) => ({
  'app.kubernetes.io/managed-by': 'shipyard',
  'shipyard.dev/tenant': 't',
  'shipyard.dev/partition': partition,
});
const serverNamespace = 'platform';

describe('namespace ownership', () => {
  it("keeps Kubernetes' and the platform's namespaces from every partition", () => {
    for (const name of [
      'kube-system',
      'kube-public',
      'kube-node-lease',
      'default',
      'shipyard-system',
      'platform',
    ])
      expect(reservedNamespace(name, serverNamespace), name).toMatch(/belongs to/);
    for (const name of ['web', 'kubernetes', 'default-web', 'shipyard'])
      expect(reservedNamespace(name, serverNamespace), name).toBeUndefined();
  });

  it('gives a namespace to the partition its labels name, never a reserved one, adopted or not', () => {
    const p = 'web';
    expect(ownsNamespace({ ns: ns('web', ours(p)), partition: p, serverNamespace })).toBe(true);
    expect(ownsNamespace({ ns: ns('web', ours('other')), partition: p, serverNamespace, adopt: true })).toBe(
      false,
    );
    expect(ownsNamespace({ ns: ns('web'), partition: p, serverNamespace })).toBe(false);
    expect(ownsNamespace({ ns: ns('web', { team: 'x' }), partition: p, serverNamespace, adopt: true })).toBe(
      true,
    );
    // Labels taken off by hand: ours still, when our field manager made it.
    expect(ownsNamespace({ ns: ns('web', {}, 'shipyard'), partition: p, serverNamespace })).toBe(true);
    for (const name of ['kube-system', 'default', 'shipyard-system', serverNamespace]) {
      const labelled = ns(name, ours(p), 'shipyard');
      expect(ownsNamespace({ ns: labelled, partition: p, serverNamespace, adopt: true }), name).toBe(false);
      expect(labelledOwner(labelled, serverNamespace), name).toBeUndefined();
    }
    expect(labelledOwner(ns('web', ours(p)), serverNamespace)).toBe(p);
    expect(labelledOwner(ns('web', { 'shipyard.dev/partition': p }), serverNamespace)).toBeUndefined();
  });
});
