import type { TFunction } from 'i18next';
import { describe, expect, it } from 'vitest';
import { byResourceOrder, formatAmounts, measureOf, storageClassKey, storageClassOf } from './resources';

const t = ((key: string) => (key === 'quota.cores' ? 'cores' : key)) as unknown as TFunction;

describe('quota resources', () => {
  it('knows what a key measures', () => {
    expect(measureOf('requests.cpu')).toBe('cpu');
    expect(measureOf('cpu')).toBe('cpu');
    expect(measureOf('limits.memory')).toBe('bytes');
    expect(measureOf(storageClassKey('standard', 'capacity'))).toBe('bytes');
    expect(measureOf(storageClassKey('standard', 'count'))).toBe('count');
    expect(measureOf('requests.nvidia.com/gpu')).toBe('count');
    expect(measureOf('requests.ephemeral-storage')).toBe('bytes');
  });

  it('reads storage class keys', () => {
    expect(storageClassOf('heketi.storageclass.storage.k8s.io/requests.storage')).toEqual({
      storageClass: 'heketi',
      what: 'capacity',
    });
    expect(storageClassOf('requests.storage')).toBeUndefined();
  });

  it('shows amounts in one unit, as the seed does', () => {
    expect(formatAmounts(t, 'requests.cpu', ['2', '4'])).toBe('2 / 4 cores');
    expect(formatAmounts(t, 'requests.cpu', ['1500m'])).toBe('1.5 cores');
    expect(formatAmounts(t, storageClassKey('x', 'capacity'), ['10Gi', '30Gi'])).toBe('10 / 30 GiB');
    expect(formatAmounts(t, 'limits.memory', ['512Mi', '2Gi'])).toBe('0.5 / 2 GiB');
    expect(formatAmounts(t, storageClassKey('x', 'count'), ['2', '5'])).toBe('2 / 5');
    expect(formatAmounts(t, 'pods', ['x', '5'])).toBe('x / 5');
  });

  it('orders the form fields first', () => {
    expect(['pods', 'count/services', 'limits.cpu', 'requests.cpu'].sort(byResourceOrder)).toEqual([
      'requests.cpu',
      'limits.cpu',
      'pods',
      'count/services',
    ]);
  });
});
