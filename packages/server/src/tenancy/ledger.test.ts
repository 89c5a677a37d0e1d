import type { Tenant } from '@shipyard/api';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../http/errors.js';
import {
  applyRepair,
  checkShrink,
  decidePartition,
  planRepair,
  statusWith,
  type Ledger,
  type PartitionAsk,
  type Reservation,
} from './ledger.js';
import type { Hard } from './quota.js';
import { checkPortRanges, checkTenantSpec } from './tenant-spec.js';

const at = new Date(0).toISOString();
const entry = (hard: Hard, more: Partial<Reservation> = {}): Reservation => ({
  cluster: 'qa',
  namespace: 'ns',
  hard,
  id: 'x',
  at,
  ...more,
});

function tenant(ledger: Ledger = {}, clusters: Tenant['spec']['clusters'] = []): Tenant {
  return {
    apiVersion: 'shipyard.dev/v1alpha1',
    kind: 'Tenant',
    metadata: { name: 'acme', resourceVersion: '7' },
    spec: {
      clusters: [
        { cluster: 'qa', hard: { 'requests.cpu': '4', 'requests.memory': '8Gi', pods: '10' } },
        ...clusters,
      ],
    },
    status: { reservations: ledger },
  };
}

/** The ApiError body `f` throws. */
function refusal(f: () => unknown) {
  try {
    f();
  } catch (err) {
    if (err instanceof ApiError) return err.body();
    throw err;
  }
  throw new Error('not refused');
}

const ask = (over: Partial<PartitionAsk>): PartitionAsk => ({
  tenant: tenant(),
  name: 'web',
  cluster: 'qa',
  namespace: 'web',
  hard: {},
  ...over,
});

describe('partition admission', () => {
  it('reserves what fits, canonically', () => {
    const t = tenant({ a: entry({ 'requests.cpu': '1500m' }, { namespace: 'a' }) });
    expect(
      decidePartition(ask({ tenant: t, hard: { 'requests.cpu': '2.5', 'requests.memory': '8192Mi' } })),
    ).toEqual({
      'requests.cpu': '2500m',
      'requests.memory': '8Gi',
    });
  });

  it('refuses to oversubscribe, with the numbers of every key over', () => {
    const t = tenant({
      a: entry({ 'requests.cpu': '2', 'requests.memory': '7Gi' }, { namespace: 'a' }),
    });
    expect(refusal(() => decidePartition(ask({ tenant: t, hard: { 'requests.cpu': '3' } })))).toEqual({
      code: 409,
      reason: 'Conflict',
      field: 'spec.hard["requests.cpu"]',
      message: 'requests.cpu 3 exceeds tenant remaining 2 on cluster qa',
    });
    expect(
      refusal(() =>
        decidePartition(ask({ tenant: t, hard: { 'requests.memory': '1.5Gi', 'requests.cpu': '2500m' } })),
      ).message,
    ).toBe(
      'requests.cpu 2500m exceeds tenant remaining 2 on cluster qa; requests.memory 1536Mi exceeds tenant remaining 1Gi on cluster qa',
    );
  });

  it('answers 422 for a cluster without quota or a key the tenant has no quota for', () => {
    expect(refusal(() => decidePartition(ask({ cluster: 'prod' })))).toEqual({
      code: 422,
      reason: 'Invalid',
      field: 'spec.cluster',
      message: 'tenant acme has no quota on cluster prod',
    });
    expect(refusal(() => decidePartition(ask({ hard: { 'requests.nvidia.com/gpu': '1' } })))).toMatchObject({
      code: 422,
      field: 'spec.hard["requests.nvidia.com/gpu"]',
    });
  });

  it('refuses a namespace another partition uses on the cluster, and a name being created', () => {
    const t = tenant({ a: entry({}, { namespace: 'shared' }) });
    expect(refusal(() => decidePartition(ask({ tenant: t, namespace: 'shared' })))).toEqual({
      code: 409,
      reason: 'Conflict',
      field: 'spec.namespace',
      message: 'namespace shared on cluster qa is already used by partition a',
    });
    expect(refusal(() => decidePartition(ask({ namespaceUsedBy: 'theirs' }))).message).toContain(
      'partition theirs',
    );
    // the same namespace on another cluster is another namespace
    const other = tenant({ a: entry({}, { namespace: 'shared', cluster: 'prod' }) }, [
      { cluster: 'prod', hard: {} },
    ]);
    expect(decidePartition(ask({ tenant: other, namespace: 'shared' }))).toEqual({});
    expect(refusal(() => decidePartition(ask({ tenant: t, name: 'a', namespace: 'a' })))).toMatchObject({
      code: 409,
      reason: 'AlreadyExists',
    });
  });

  it('re-checks a resize up against what remains besides itself; a resize down always passes', () => {
    const t = tenant({
      web: entry({ 'requests.cpu': '2' }, { namespace: 'web' }),
      b: entry({ 'requests.cpu': '1' }, { namespace: 'b' }),
    });
    const stored = { 'requests.cpu': '2' };
    expect(decidePartition(ask({ tenant: t, stored, hard: { 'requests.cpu': '3' } }))).toEqual({
      'requests.cpu': '3',
    });
    expect(
      refusal(() => decidePartition(ask({ tenant: t, stored, hard: { 'requests.cpu': '3100m' } }))).message,
    ).toBe('requests.cpu 3100m exceeds tenant remaining 3 on cluster qa');
    // Down: the larger (old) stays reserved until the write is settled, so there is nothing to write first.
    expect(decidePartition(ask({ tenant: t, stored, hard: { 'requests.cpu': '1' } }))).toBeUndefined();
    expect(decidePartition(ask({ stored, hard: { 'requests.cpu': '1' } }))).toEqual({ 'requests.cpu': '2' });
    // Even when the tenant is oversubscribed already (partitions written around the API).
    const over = tenant({
      web: entry({ 'requests.cpu': '3' }, { namespace: 'web' }),
      b: entry({ 'requests.cpu': '3' }),
    });
    const down = { stored: { 'requests.cpu': '3' }, hard: { 'requests.cpu': '2' } };
    expect(decidePartition(ask({ tenant: over, ...down }))).toBeUndefined();
    // and a key that grows is still refused there
    expect(() => decidePartition(ask({ tenant: over, ...down, hard: { 'requests.cpu': '3001m' } }))).toThrow(
      'requests.cpu 3001m exceeds tenant remaining 1 on cluster qa',
    );
  });

  it('writes nothing when the ledger already holds exactly that; adds a partition it lacks', () => {
    const t = tenant({ web: entry({ 'requests.cpu': '2' }, { namespace: 'web' }) });
    expect(
      decidePartition(ask({ tenant: t, stored: { 'requests.cpu': '2000m' }, hard: { 'requests.cpu': '2' } })),
    ).toBeUndefined();
    expect(decidePartition(ask({ stored: { 'requests.cpu': '2' }, hard: { 'requests.cpu': '2' } }))).toEqual({
      'requests.cpu': '2',
    });
  });
});

describe('tenant quota changes', () => {
  const t = tenant({ a: entry({ 'requests.cpu': '3', pods: '2' }) });
  const spec = (hard: Hard, extra: Tenant['spec']['clusters'] = []) => ({
    spec: { clusters: [{ cluster: 'qa', hard }, ...extra] },
  });

  it('refuses going below what is allocated, with the numbers', () => {
    expect(refusal(() => checkShrink(t, spec({ 'requests.cpu': '2', pods: '2' })))).toEqual({
      code: 409,
      reason: 'Conflict',
      field: 'spec.clusters[0].hard["requests.cpu"]',
      message: 'requests.cpu 2 is below the 3 allocated to partitions on cluster qa',
    });
    expect(refusal(() => checkShrink(t, spec({ 'requests.cpu': '3' }))).message).toBe(
      'pods is allocated to partitions on cluster qa (2): it cannot be removed',
    );
    expect(refusal(() => checkShrink(t, { spec: { clusters: [] } })).message).toBe(
      'tenant acme has 1 partition on cluster qa; delete them before removing its quota',
    );
    expect(() =>
      checkShrink(t, spec({ 'requests.cpu': '3000m', pods: '2' }, [{ cluster: 'x', hard: {} }])),
    ).not.toThrow();
  });

  it('checks only what the change lowers: an oversubscribed tenant can still be relabelled or raised', () => {
    const over = tenant({ a: entry({ 'requests.cpu': '5' }) });
    const same = { spec: over.spec };
    expect(() => checkShrink(over, same)).not.toThrow();
    expect(() =>
      checkShrink(over, spec({ 'requests.cpu': '4500m', 'requests.memory': '8Gi', pods: '10' })),
    ).not.toThrow();
    expect(() =>
      checkShrink(over, spec({ 'requests.cpu': '3', 'requests.memory': '8Gi', pods: '10' })),
    ).toThrow('requests.cpu 3 is below the 5 allocated');
  });

  it('checks quantities, clusters listed twice and port ranges', () => {
    expect(refusal(() => checkTenantSpec(spec({ 'requests.cpu': '1e999' })))).toMatchObject({
      code: 422,
      field: 'spec.clusters[0].hard["requests.cpu"]',
    });
    expect(refusal(() => checkTenantSpec(spec({}, [{ cluster: 'qa', hard: {} }])))).toMatchObject({
      code: 422,
      field: 'spec.clusters[1].cluster',
    });
    const bad = { spec: { clusters: [{ cluster: 'qa', hard: {}, loadBalancer: { l4PortRange: '30-20' } }] } };
    expect(refusal(() => checkTenantSpec(bad))).toMatchObject({
      code: 422,
      field: 'spec.clusters[0].loadBalancer.l4PortRange',
    });
  });

  it('keeps L4 ranges inside the pool and apart from other tenants', () => {
    const withRange = (name: string, range: string, cluster = 'qa') =>
      ({
        metadata: { name },
        spec: { clusters: [{ cluster, hard: {}, loadBalancer: { l4PortRange: range } }] },
      }) as Tenant;
    const cluster = () => ({ spec: { l4PortPool: '20000-29999' } }) as never;
    const others = [withRange('other', '21000-21999'), withRange('elsewhere', '20000-29999', 'prod')];
    const check = (range: string) => () =>
      checkPortRanges({ tenant: withRange('acme', range), cluster, tenants: others });
    expect(check('20000-20999')).not.toThrow();
    expect(refusal(check('29000-30000'))).toEqual({
      code: 409,
      reason: 'Conflict',
      field: 'spec.clusters[0].loadBalancer.l4PortRange',
      message: "l4PortRange 29000-30000 is outside cluster qa's l4PortPool 20000-29999",
    });
    expect(refusal(check('20500-21000')).message).toBe(
      "l4PortRange 20500-21000 overlaps tenant other's 21000-21999 on cluster qa",
    );
    // its own earlier range (an update) is no conflict
    expect(() =>
      checkPortRanges({ tenant: withRange('other', '21000-21500'), cluster, tenants: others }),
    ).not.toThrow();
  });
});

describe('the status that goes with the ledger', () => {
  it('sums per cluster with every quota key, and keeps used and conditions', () => {
    const t = tenant({
      a: entry({ 'requests.cpu': '1500m', 'requests.memory': '1Gi' }),
      b: entry({ 'requests.cpu': '500m' }, { namespace: 'b' }),
    });
    t.status = {
      ...t.status,
      conditions: [{ type: 'Ready', status: 'True' }],
      clusters: [{ cluster: 'qa', hard: {}, allocated: {}, used: { 'requests.cpu': '100m' } }],
    };
    const s = statusWith(t, t.status.reservations ?? {});
    expect(s.conditions).toEqual([{ type: 'Ready', status: 'True' }]);
    expect(s.clusters).toEqual([
      {
        cluster: 'qa',
        hard: { 'requests.cpu': '4', 'requests.memory': '8Gi', pods: '10' },
        allocated: { pods: '0', 'requests.cpu': '2', 'requests.memory': '1Gi' },
        used: { 'requests.cpu': '100m' },
      },
    ]);
  });
});

describe('ledger repair', () => {
  const now = Date.parse('2026-01-01T00:10:00Z');
  const young = new Date(now - 5_000).toISOString();
  const view = (name: string, hard: Hard, terminating = false) => ({
    name,
    tenant: 'acme',
    cluster: 'qa',
    namespace: name,
    hard,
    terminating,
  });

  it('drops old entries without a partition, fixes old ones that disagree, adds partitions it lacks', () => {
    const ledger: Ledger = {
      stale: entry({ 'requests.cpu': '1' }, { namespace: 'stale', id: 's' }),
      pending: entry({ 'requests.cpu': '1' }, { namespace: 'pending', at: young }),
      resized: entry({ 'requests.cpu': '3' }, { namespace: 'resized', id: 'r' }),
      fine: entry({ 'requests.cpu': '1' }, { namespace: 'fine' }),
      going: entry({}, { namespace: 'going', id: 'g' }),
    };
    const plan = planRepair({
      ledger,
      partitions: [
        view('resized', { 'requests.cpu': '2' }),
        view('fine', { 'requests.cpu': '1000m' }),
        view('kubectl', { pods: '1' }),
        view('going', {}, true),
      ],
      now,
      graceMs: 30_000,
    });
    expect(plan.drop).toEqual([
      { name: 'stale', id: 's' },
      { name: 'going', id: 'g' },
    ]);
    expect(plan.fix).toEqual([{ id: 'r', to: view('resized', { 'requests.cpu': '2' }) }]);
    expect(plan.add.map((p) => p.name)).toEqual(['kubectl']);
    expect(plan.recheckInMs).toBe(25_000);

    // Applied to the ledger as it is by then: an entry rewritten meanwhile (new id) is not touched.
    const now2 = { ...ledger, resized: entry({ 'requests.cpu': '4' }, { namespace: 'resized', id: 'new' }) };
    const out = applyRepair(now2, plan, () => ({ id: 'rep', at: 'then' }));
    expect(Object.keys(out).sort()).toEqual(['fine', 'kubectl', 'pending', 'resized']);
    expect(out.resized?.hard).toEqual({ 'requests.cpu': '4' });
    expect(out.kubectl).toEqual({
      cluster: 'qa',
      namespace: 'kubectl',
      hard: { pods: '1' },
      id: 'rep',
      at: 'then',
    });
  });
});
