import { describe, expect, it } from 'vitest';
import { ApiError } from '../http/errors.js';
import { addInto, amounts, badQuantity, formatAmounts, maxOf, sameHard } from './quota.js';

describe('quota arithmetic', () => {
  it('sums exactly, whatever the notation, and prints canonically', () => {
    const sum = addInto(addInto(new Map(), { 'requests.cpu': '1500m', 'requests.memory': '4Gi' }), {
      'requests.cpu': '0.5',
      'requests.memory': '512Mi',
      pods: '1e1',
    });
    expect(formatAmounts(sum)).toEqual({ pods: '10', 'requests.cpu': '2', 'requests.memory': '4608Mi' });
    expect(
      formatAmounts(
        amounts({ 'limits.cpu': '0.1', 'gold.storageclass.storage.k8s.io/requests.storage': '1024Gi' }),
      ),
    ).toEqual({
      'gold.storageclass.storage.k8s.io/requests.storage': '1Ti',
      'limits.cpu': '100m',
    });
  });

  it('compares amounts, not strings', () => {
    expect(sameHard({ 'requests.cpu': '1' }, { 'requests.cpu': '1000m' })).toBe(true);
    expect(sameHard({ 'requests.cpu': '1' }, { 'requests.cpu': '1', pods: '0' })).toBe(false);
    expect(maxOf({ 'requests.cpu': '2', pods: '3' }, { 'requests.cpu': '2500m', 'limits.cpu': '1' })).toEqual(
      {
        'limits.cpu': '1',
        pods: '3',
        'requests.cpu': '2500m',
      },
    );
  });

  it('names the field of a quantity the schema let through but that does not parse', () => {
    const err = badQuantity({ 'requests.cpu': '1', 'limits.memory': '1e999' }, ['spec', 'hard']);
    expect(err).toBeInstanceOf(ApiError);
    expect(err?.body()).toEqual({
      code: 422,
      reason: 'Invalid',
      field: 'spec.hard["limits.memory"]',
      message: 'spec.hard["limits.memory"]: "1e999" is too large',
    });
    expect(badQuantity({ 'requests.cpu': '8Ei' }, ['spec', 'hard'])).toBeInstanceOf(ApiError);
    expect(badQuantity({ 'requests.cpu': '2' }, ['spec', 'hard'])).toBeUndefined();
  });
});
