export type NodeShape = { cpu: string; memory: string; pods: string };
export const defaultNodeShape: NodeShape = { cpu: '32', memory: '256Gi', pods: '110' };

/** A v1 List of simulated Nodes that the kwok controller manages (no taint: ordinary pods land on them). */
export function nodeList(opts: { count: number; prefix: string; first?: number; shape?: NodeShape }) {
  const shape = opts.shape ?? defaultNodeShape;
  const first = opts.first ?? 0;
  const items = Array.from({ length: opts.count }, (_, i) => {
    const name = `${opts.prefix}-${first + i}`;
    return {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name,
        annotations: { 'kwok.x-k8s.io/node': 'fake', 'node.alpha.kubernetes.io/ttl': '0' },
        labels: {
          'kubernetes.io/hostname': name,
          'kubernetes.io/os': 'linux',
          'kubernetes.io/arch': 'amd64',
          'node-role.kubernetes.io/worker': '',
          type: 'kwok',
        },
      },
      status: { allocatable: shape, capacity: shape },
    };
  });
  return { apiVersion: 'v1', kind: 'List', items };
}
