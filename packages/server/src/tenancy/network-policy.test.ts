import { describe, expect, it } from 'vitest';
import { networkPolicies } from './network-policy.js';

const sameTenant = { namespaceSelector: { matchLabels: { 'shipyard.dev/tenant': 'acme' } } };

describe('network policies', () => {
  it('isolates the namespace to its tenant on ingress and leaves egress open by default', () => {
    expect(networkPolicies({ tenant: 'acme', rules: [] })).toEqual({
      policies: [
        {
          name: 'shipyard-isolation',
          spec: { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [sameTenant] }] },
        },
      ],
      skipped: [],
    });
  });

  it("turns the partition's rules into one policy: partitions by label, CIDRs as ipBlocks, port ranges", () => {
    const { policies, skipped } = networkPolicies({
      tenant: 'acme',
      rules: [
        { direction: 'In', partition: 'qa-api', protocol: 'TCP', ports: '4000-6000' },
        { direction: 'In', cidr: '192.168.0.0/16', protocol: 'UDP' },
        { direction: 'Out', cidr: '10.0.0.0/8', protocol: 'TCP', ports: '443' },
        { direction: 'Out', partition: 'db', cidr: '172.16.0.0/12', protocol: 'SCTP', ports: '5000-5000' },
      ],
    });
    expect(skipped).toEqual([]);
    expect(policies.map((p) => p.name)).toEqual(['shipyard-isolation', 'shipyard-rules']);
    expect(policies[1]?.spec).toEqual({
      podSelector: {},
      policyTypes: ['Ingress', 'Egress'],
      ingress: [
        {
          from: [{ namespaceSelector: { matchLabels: { 'shipyard.dev/partition': 'qa-api' } } }],
          ports: [{ protocol: 'TCP', port: 4000, endPort: 6000 }],
        },
        { from: [{ ipBlock: { cidr: '192.168.0.0/16' } }], ports: [{ protocol: 'UDP' }] },
      ],
      egress: [
        // Out rules make egress an allow-list: DNS and the tenant's own namespaces stay reachable.
        {
          ports: [
            { protocol: 'UDP', port: 53 },
            { protocol: 'TCP', port: 53 },
          ],
        },
        { to: [sameTenant] },
        { to: [{ ipBlock: { cidr: '10.0.0.0/8' } }], ports: [{ protocol: 'TCP', port: 443 }] },
        {
          to: [
            { namespaceSelector: { matchLabels: { 'shipyard.dev/partition': 'db' } } },
            { ipBlock: { cidr: '172.16.0.0/12' } },
          ],
          ports: [{ protocol: 'SCTP', port: 5000 }],
        },
      ],
    });
  });

  it('leaves egress alone when there are only In rules, and lets any peer in when a rule names none', () => {
    const { policies } = networkPolicies({
      tenant: 'acme',
      rules: [{ direction: 'In', protocol: 'TCP', ports: '80' }],
    });
    expect(policies[1]?.spec).toEqual({
      podSelector: {},
      policyTypes: ['Ingress'],
      ingress: [{ ports: [{ protocol: 'TCP', port: 80 }] }],
    });
  });

  it('leaves out a rule whose port range is not one, rather than open every port', () => {
    const { policies, skipped } = networkPolicies({
      tenant: 'acme',
      rules: [
        { direction: 'In', cidr: '10.0.0.0/8', protocol: 'TCP', ports: '90-80' },
        { direction: 'Out', cidr: '10.0.0.0/8', protocol: 'TCP', ports: '70000' },
      ],
    });
    expect(policies.map((p) => p.name)).toEqual(['shipyard-isolation']);
    expect(skipped).toEqual([
      'rule 1: "90-80": the first port is after the last',
      'rule 2: "70000": ports are 1-65535',
    ]);
  });
});
