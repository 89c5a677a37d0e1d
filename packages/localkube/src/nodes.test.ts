import { describe, expect, it } from 'vitest';
import { nodeList } from './nodes.js';

describe('nodeList', () => {
  it('names nodes from the prefix and first index, managed by kwok, untainted', () => {
    const list = nodeList({ count: 3, prefix: 'c1-node', first: 5 });
    expect(list.items.map((n) => n.metadata.name)).toEqual(['c1-node-5', 'c1-node-6', 'c1-node-7']);
    for (const n of list.items) {
      expect(n.metadata.annotations['kwok.x-k8s.io/node']).toBe('fake');
      expect(n).not.toHaveProperty('spec.taints');
      expect(n.status.allocatable).toEqual({ cpu: '32', memory: '256Gi', pods: '110' });
    }
  });
});
