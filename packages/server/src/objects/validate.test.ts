import { kinds } from '@shipyard/api';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../http/errors.js';
import { fieldPath } from '../http/field-path.js';
import { mergePatch, parseObject } from './validate.js';

describe('object validation', () => {
  it('names the field path people read', () => {
    expect(fieldPath(['spec', 'clusters', 0, 'hard', 'requests.cpu'])).toBe(
      'spec.clusters[0].hard["requests.cpu"]',
    );
  });

  it('answers 422 with the field and reason, before anything is written', () => {
    try {
      parseObject(kinds.Tenant, {
        metadata: { name: 't' },
        spec: { clusters: [{ cluster: 'c', hard: { 'limits.memory': '1e999x' } }] },
      });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ApiError);
      expect((e as ApiError).body()).toEqual({
        code: 422,
        reason: 'Invalid',
        field: 'spec.clusters[0].hard["limits.memory"]',
        message: 'spec.clusters[0].hard["limits.memory"]: must be a quantity such as 500m, 2, 10Gi',
      });
    }
  });

  it('keeps what a client may set and drops status and server fields', () => {
    const obj = parseObject(kinds.Group, {
      metadata: { name: 'g', labels: { a: 'b' }, uid: 'x' },
      spec: { members: ['ann'] },
      status: { conditions: [] },
    });
    expect(obj).toEqual({
      apiVersion: 'shipyard.dev/v1alpha1',
      kind: 'Group',
      metadata: { name: 'g', labels: { a: 'b' } },
      spec: { members: ['ann'] },
    });
  });

  const refusal = (d: (typeof kinds)[keyof typeof kinds], body: unknown) => {
    try {
      parseObject(d, body);
    } catch (e) {
      expect(e).toBeInstanceOf(ApiError);
      return (e as ApiError).body();
    }
    return undefined;
  };

  it('refuses an unknown field at every level, naming it, as kubectl’s strict field validation', () => {
    const tenant = (extra: object, cluster: object = {}) => ({
      metadata: { name: 't' },
      spec: { clusters: [{ cluster: 'c', hard: {}, ...cluster }] },
      ...extra,
    });
    const cases: [object, string][] = [
      [{ spec: { foo: 1 } }, 'spec.foo'],
      [tenant({}, { quota: {} }), 'spec.clusters[0].quota'],
      [tenant({}, { loadBalancer: { l7: true, l9: true } }), 'spec.clusters[0].loadBalancer.l9'],
      [tenant({ extra: 1 }), 'extra'],
      [tenant({ metadata: { name: 't', labelz: {} } }), 'metadata.labelz'],
    ];
    for (const [body, field] of cases) {
      const b = { metadata: { name: 't' }, spec: {}, ...body };
      expect(refusal(kinds.Tenant, b)).toEqual({
        code: 422,
        reason: 'Invalid',
        field,
        message: `unknown field "${field}"`,
      });
    }
    const rule = { apiGroups: [''], resources: ['pods'], verb: ['get'], verbs: ['get'] };
    expect(
      refusal(kinds.RoleTemplate, { metadata: { name: 'r' }, spec: { level: 'tenant', rules: [rule] } }),
    ).toMatchObject({ field: 'spec.rules[0].verb' });
  });

  it('accepts what a GET answered back, and a password it does not keep', () => {
    const stored = {
      apiVersion: 'shipyard.dev/v1alpha1',
      kind: 'User',
      metadata: {
        name: 'ann',
        uid: 'u',
        resourceVersion: '5',
        generation: 1,
        creationTimestamp: '2026-01-01T00:00:00Z',
        managedFields: [{ manager: 'shipyard' }],
      },
      spec: { disabled: false, source: 'local', password: 'a-new-password' },
      status: { lastLogin: '2026-01-02T00:00:00Z', somethingOlder: 1 },
    };
    expect(parseObject(kinds.User, stored)).toEqual({
      apiVersion: 'shipyard.dev/v1alpha1',
      kind: 'User',
      metadata: { name: 'ann', resourceVersion: '5' },
      spec: { disabled: false, source: 'local' },
    });
  });

  it('names the label or annotation that Kubernetes would refuse', () => {
    const at = (metadata: object) => refusal(kinds.Group, { metadata: { name: 'g', ...metadata }, spec: {} });
    expect(at({ labels: { 'bad key!': 'x' } })).toMatchObject({ field: 'metadata.labels["bad key!"]' });
    expect(at({ labels: { team: 'x'.repeat(64) } })).toMatchObject({ field: 'metadata.labels.team' });
    expect(at({ labels: { team: 'a b' } })).toMatchObject({ field: 'metadata.labels.team' });
    expect(at({ annotations: { '/x': 'y' } })).toMatchObject({ field: 'metadata.annotations["/x"]' });
    expect(at({ labels: { 'app.kubernetes.io/name': 'web', empty: '' } })).toBeUndefined();
  });

  it('merges patches as RFC 7396 says', () => {
    expect(mergePatch({ a: 1, b: { c: 2, d: 3 }, e: [1] }, { b: { c: null, x: 1 }, e: [2], f: 'y' })).toEqual(
      {
        a: 1,
        b: { d: 3, x: 1 },
        e: [2],
        f: 'y',
      },
    );
  });
});
