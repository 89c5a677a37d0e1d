/**
 * A partition's NetworkPolicies, from its tenant and its own rules (seed 001's editor: in or out, a partition
 * or a CIDR, a protocol and a port range). Pure.
 *
 * - `shipyard-isolation`, always: the namespace takes traffic only from namespaces of the same tenant (by
 *   the tenant label the controller puts on every partition's namespace). Only ingress is isolated: a tenant
 *   cannot reach another because the other's ingress refuses it, so isolating egress too would add nothing
 *   between tenants and would cut pods off from DNS, the cluster's services, registries and the internet.
 *   DNS keeps working: queries leave freely and their answers are replies, which no policy blocks.
 * - `shipyard-rules`, when the partition has rules: each In rule lets a partition's namespace (by the
 *   partition label) or a CIDR in, on a protocol and port range; each Out rule does the same outbound.
 *   NetworkPolicies only ever allow, so Out rules make egress an allow-list: once there is one, the policy
 *   also allows DNS (port 53, UDP and TCP, anywhere: cluster DNS and node-local caches alike) and the
 *   tenant's own namespaces, mirroring what ingress allows by default. A rule with neither partition nor CIDR
 *   matches any peer; one without ports, every port of its protocol.
 */
import type { z } from 'zod';
import type { networkRule } from '@shipyard/api';
import { parsePortRange } from './port-range.js';

export type NetworkRule = z.input<typeof networkRule>;

type Selector = { matchLabels: Record<string, string> };
export type Peer = { namespaceSelector?: Selector; ipBlock?: { cidr: string } };
export type Port = { protocol: 'TCP' | 'UDP' | 'SCTP'; port?: number; endPort?: number };
export type IngressRule = { from?: Peer[]; ports?: Port[] };
export type EgressRule = { to?: Peer[]; ports?: Port[] };
export type NetworkPolicySpec = {
  podSelector: Record<string, never>;
  policyTypes: ('Ingress' | 'Egress')[];
  ingress?: IngressRule[];
  egress?: EgressRule[];
};

export const isolationPolicy = 'shipyard-isolation';
export const rulesPolicy = 'shipyard-rules';
const tenantLabel = 'shipyard.dev/tenant';
const partitionLabel = 'shipyard.dev/partition';

export type RenderedPolicies = {
  policies: { name: string; spec: NetworkPolicySpec }[];
  /** Rules left out because their port range is not one (e.g. "90-80"): leaving one in without its ports would allow more. */
  skipped: string[];
};

export function networkPolicies(opts: { tenant: string; rules: readonly NetworkRule[] }): RenderedPolicies {
  const sameTenant: Peer = { namespaceSelector: { matchLabels: { [tenantLabel]: opts.tenant } } };
  const policies: RenderedPolicies['policies'] = [
    {
      name: isolationPolicy,
      spec: { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [sameTenant] }] },
    },
  ];
  const skipped: string[] = [];
  const ingress: IngressRule[] = [];
  const egress: EgressRule[] = [];
  opts.rules.forEach((rule, i) => {
    const ports = portsOf(rule);
    if (typeof ports === 'string') {
      skipped.push(`rule ${i + 1}: ${ports}`);
      return;
    }
    const peers = peersOf(rule);
    if (rule.direction === 'In') ingress.push({ ...(peers && { from: peers }), ports });
    else egress.push({ ...(peers && { to: peers }), ports });
  });
  if (ingress.length + egress.length > 0) {
    const spec: NetworkPolicySpec = { podSelector: {}, policyTypes: [] };
    if (ingress.length > 0) {
      spec.policyTypes.push('Ingress');
      spec.ingress = ingress;
    }
    if (egress.length > 0) {
      spec.policyTypes.push('Egress');
      const dns: EgressRule = {
        ports: [
          { protocol: 'UDP', port: 53 },
          { protocol: 'TCP', port: 53 },
        ],
      };
      spec.egress = [dns, { to: [sameTenant] }, ...egress];
    }
    policies.push({ name: rulesPolicy, spec });
  }
  return { policies, skipped };
}

/** The rule's peers; undefined for any peer. */
function peersOf(rule: NetworkRule): Peer[] | undefined {
  const peers: Peer[] = [];
  if (rule.partition)
    peers.push({ namespaceSelector: { matchLabels: { [partitionLabel]: rule.partition } } });
  if (rule.cidr) peers.push({ ipBlock: { cidr: rule.cidr } });
  return peers.length > 0 ? peers : undefined;
}

/** The rule's port (every port of its protocol when it names none), or why its range is not one. */
function portsOf(rule: NetworkRule): Port[] | string {
  const protocol = rule.protocol ?? 'TCP';
  if (!rule.ports) return [{ protocol }];
  const range = parsePortRange(rule.ports);
  if (typeof range === 'string') return range;
  return [{ protocol, port: range.from, ...(range.to > range.from && { endPort: range.to }) }];
}
