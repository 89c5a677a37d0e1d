/**
 * A partition's network rules (seed 001's editor: direction, a partition or a CIDR, protocol, port range) as
 * form rows and as the Partition spec has them (`{direction: 'In', partition: 'qa-api', protocol: 'TCP',
 * ports: '4000-6000'}`). A rule with neither partition nor CIDR matches any peer; one without ports, every port.
 */
import type { Partition } from '../../api/platform';

export type NetworkRule = NonNullable<Partition['spec']['networkPolicy']>['rules'][number];
export type Peer = 'partition' | 'cidr' | 'any';
export type RuleRow = {
  direction: 'In' | 'Out';
  peer: Peer;
  partition?: string;
  cidr?: string;
  protocol: 'TCP' | 'UDP' | 'SCTP';
  portFrom?: number | null;
  portTo?: number | null;
};

/** An IPv4 CIDR as the API's pattern has it, with octets and prefix in range. */
export function isCidr(text: string): boolean {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(text);
  return !!m && m.slice(1, 5).every((o) => Number(o) <= 255) && Number(m[5]) <= 32;
}

export function ruleOf(row: RuleRow): NetworkRule {
  const from = row.portFrom ?? undefined;
  const to = row.portTo ?? undefined;
  return {
    direction: row.direction,
    ...(row.peer === 'partition' && row.partition ? { partition: row.partition } : {}),
    ...(row.peer === 'cidr' && row.cidr ? { cidr: row.cidr.trim() } : {}),
    protocol: row.protocol,
    ...(from !== undefined ? { ports: to === undefined || to === from ? `${from}` : `${from}-${to}` } : {}),
  };
}

export function rowOf(rule: NetworkRule): RuleRow {
  const [from, to] = (rule.ports ?? '').split('-');
  return {
    direction: rule.direction,
    peer: rule.partition ? 'partition' : rule.cidr ? 'cidr' : 'any',
    partition: rule.partition,
    cidr: rule.cidr,
    protocol: rule.protocol,
    portFrom: from ? Number(from) : undefined,
    portTo: from ? Number(to ?? from) : undefined,
  };
}

/** The row field an API error about `spec.networkPolicy.rules[i].<field>` concerns. */
export function ruleFieldOf(path: (string | number)[]): (string | number)[] | undefined {
  const [spec, np, rules, i, field] = path;
  if (spec !== 'spec' || np !== 'networkPolicy' || rules !== 'rules' || typeof i !== 'number')
    return undefined;
  if (field === 'ports') return ['rules', i, 'portFrom'];
  if (field === 'partition' || field === 'cidr' || field === 'protocol' || field === 'direction')
    return ['rules', i, field];
  return undefined;
}
