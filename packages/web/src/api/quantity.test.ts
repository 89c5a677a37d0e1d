import { isQuantity, parseQuantity, quantityPattern as apiPattern } from '@shipyard/api';
import { describe, expect, it } from 'vitest';
import { parseMilli, quantityPattern, quantityProblem } from './quantity';

const samples = [
  '0',
  '1',
  '+2',
  '500m',
  '1.5',
  '.5',
  '2.',
  '10Gi',
  '4608Mi',
  '1e3',
  '1E-2',
  '3k',
  '1.0001m',
  '9223372036854775807',
  '9223372036854775808',
  '1e999',
  '0e999',
  '8Ei',
  '16Ei',
  '',
  '-1',
  '1 Gi',
  '1gi',
  'Gi',
  '1.2.3',
  '1e',
  '10x',
];

describe('the console checks quantities as the API does', () => {
  it('has the API pattern', () => {
    expect(quantityPattern).toBe(apiPattern);
  });

  it.each(samples)('%j', (text) => {
    expect(quantityProblem(text) === null).toBe(isQuantity(text));
    expect(parseMilli(text)).toBe(isQuantity(text) ? parseQuantity(text) : undefined);
  });

  it('says why a quantity is refused', () => {
    expect(quantityProblem('2x')).toBe('format');
    expect(quantityProblem('1e999')).toBe('tooLarge');
    expect(quantityProblem('2Gi')).toBeNull();
  });
});
