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
