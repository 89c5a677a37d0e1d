import { describe, expect, it } from 'vitest';
import { changedFields, jsonEqual } from './changes.js';

const tenant = {
  apiVersion: 'shipyard.dev/v1alpha1',
  kind: 'Tenant',
  metadata: {
    name: 'qa',
    uid: 'u-1',
    resourceVersion: '10',
    generation: 1,
    labels: { 'app.kubernetes.io/name': 'x', team: 'a' },
    managedFields: [{ manager: 'shipyard' }],
  },
  spec: {
    displayName: 'QA',
    clusters: [{ cluster: 'c1', hard: { 'requests.cpu': '4' } }],
    loadBalancer: { l4PortRange: '20000-21000', l7: true },
  },
  status: { clusters: [] },
};

describe('changedFields', () => {
  it('lists the dotted paths that differ, comparing arrays whole', () => {
    const after = structuredClone(tenant);
    after.spec.displayName = 'QA team';
    after.spec.clusters = [{ cluster: 'c1', hard: { 'requests.cpu': '8' } }];
    after.spec.loadBalancer.l7 = false;
    expect(changedFields(tenant, after)).toEqual([
      'spec.clusters',
      'spec.displayName',
      'spec.loadBalancer.l7',
    ]);
  });

  it('reports added and removed fields', () => {
    const before = { metadata: { labels: { team: 'a', tier: 'b' } }, spec: { displayName: 'QA' } };
    const after = { metadata: { labels: { tier: 'b' } }, spec: { displayName: 'QA', description: 'new' } };
    expect(changedFields(before, after)).toEqual(['metadata.labels.team', 'spec.description']);
  });

  it('brackets keys that are not plain identifiers', () => {
    const after = structuredClone(tenant);
    after.metadata.labels['app.kubernetes.io/name'] = 'y';
    expect(changedFields(tenant, after)).toEqual(['metadata.labels["app.kubernetes.io/name"]']);
  });

  it('ignores status and the fields the apiserver manages', () => {
    const after = structuredClone(tenant);
    after.metadata.resourceVersion = '11';
    after.metadata.generation = 2;
    after.metadata.managedFields = [];
    expect(changedFields(tenant, { ...after, status: { clusters: [{ cluster: 'c1' }] } })).toEqual([]);
    expect(changedFields(tenant, { ...after, metadata: { ...after.metadata, uid: undefined } })).toEqual([]);
  });

  it('is empty for equal objects, whatever their key order', () => {
    const reordered = { spec: tenant.spec, status: tenant.status, metadata: tenant.metadata, kind: 'Tenant' };
    expect(changedFields(tenant, { apiVersion: tenant.apiVersion, ...reordered })).toEqual([]);
  });

  it('treats a missing object as empty: a create lists what was set', () => {
    expect(changedFields(undefined, { spec: { a: 1, b: { c: [1] } } })).toEqual(['spec.a', 'spec.b.c']);
    expect(changedFields({ spec: { a: 1 } }, null)).toEqual(['spec.a']);
  });

  it('reports a root that is not an object as the empty path', () => {
    expect(changedFields('a', 'b')).toEqual(['']);
    expect(changedFields(1, 1)).toEqual([]);
  });

  it('names the keys of data and stringData, never descending or showing values', () => {
    const before = { kind: 'Secret', data: { password: 'czNjcjN0', config: 'e30=' }, stringData: {} };
    const after = {
      kind: 'Secret',
      data: { password: 'bjN3', config: 'e30=', extra: 'eA==' },
      stringData: { 'tls.key': '-----BEGIN PRIVATE KEY-----' },
    };
    const paths = changedFields(before, after);
    expect(paths).toEqual(['data.extra', 'data.password', 'stringData["tls.key"]']);
    expect(JSON.stringify(paths)).not.toMatch(/czNjcjN0|bjN3|BEGIN/);
  });

  it('does not descend into fields named like a secret, so inner keys do not leak', () => {
    const before = { spec: { password: { hash: 'x' }, auth: { bearerToken: 'a', apiKey: 'k' } } };
    const after = {
      spec: { password: { hash: 'y', 's3cr3t-key-name': 1 }, auth: { bearerToken: 'b', apiKey: 'k' } },
    };
    expect(changedFields(before, after)).toEqual(['spec.auth.bearerToken', 'spec.password']);
  });

  it('collapses the paths that redact marks', () => {
    const before = { spec: { vault: { a: 1, b: 2 }, other: { a: 1 } } };
    const after = { spec: { vault: { a: 2, b: 2 }, other: { a: 2 } } };
    const redact = (path: string): boolean => path === 'spec.vault';
    expect(changedFields(before, after, { redact })).toEqual(['spec.other.a', 'spec.vault']);
  });
});

describe('jsonEqual', () => {
  it('compares JSON deeply, arrays in order, undefined fields as missing', () => {
    expect(jsonEqual({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] })).toBe(true);
    expect(jsonEqual([1, 2], [2, 1])).toBe(false);
    expect(jsonEqual({ a: 1, b: undefined }, { a: 1 })).toBe(true);
    expect(jsonEqual({ a: null }, { a: undefined })).toBe(false);
    expect(jsonEqual({ a: 1 }, [1])).toBe(false);
  });
});
