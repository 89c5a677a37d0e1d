import { describe, expect, it } from 'vitest';
import { isCidr, ruleFieldOf, ruleOf, rowOf, type NetworkRule } from './network-rules';

describe('network rules', () => {
  it('turns rows into the rules the Partition spec holds, and back', () => {
    const rules: NetworkRule[] = [
      { direction: 'In', partition: 'qa-api', protocol: 'TCP', ports: '4000-6000' },
      { direction: 'Out', cidr: '10.0.0.0/8', protocol: 'TCP', ports: '443' },
      { direction: 'Out', protocol: 'UDP' },
    ];
    const rows = rules.map(rowOf);
    expect(rows.map((r) => r.peer)).toEqual(['partition', 'cidr', 'any']);
    expect(rows[1]).toMatchObject({ portFrom: 443, portTo: 443 });
    expect(rows.map(ruleOf)).toEqual(rules);
    // What the row no longer points at is left out.
    expect(
      ruleOf({ direction: 'In', peer: 'any', partition: 'x', cidr: '1.2.3.4/32', protocol: 'SCTP' }),
    ).toEqual({
      direction: 'In',
      protocol: 'SCTP',
    });
  });

  it('checks CIDRs', () => {
    expect(isCidr('10.0.0.0/8')).toBe(true);
    expect(isCidr('192.168.1.0/24')).toBe(true);
    expect(isCidr('256.0.0.0/8')).toBe(false);
    expect(isCidr('10.0.0.0/33')).toBe(false);
    expect(isCidr('10.0.0.0')).toBe(false);
  });

  it('finds the field of an API error', () => {
    expect(ruleFieldOf(['spec', 'networkPolicy', 'rules', 1, 'cidr'])).toEqual(['rules', 1, 'cidr']);
    expect(ruleFieldOf(['spec', 'networkPolicy', 'rules', 0, 'ports'])).toEqual(['rules', 0, 'portFrom']);
    expect(ruleFieldOf(['spec', 'hard'])).toBeUndefined();
  });
});
