import { describe, expect, it } from 'vitest';
import { formatQuantity, isQuantity, parseQuantity } from './quantity.js';

describe('parseQuantity', () => {
  it.each([
    ['2', 2000n],
    ['500m', 500n],
    ['1.5', 1500n],
    ['.5', 500n],
    ['+3', 3000n],
    ['1k', 1_000_000n],
    ['1Ki', 1024_000n],
    ['10Gi', 10n * 2n ** 30n * 1000n],
    ['1e3', 1_000_000n],
    ['1E-3', 1n],
    ['0.1m', 1n], // rounds up to a whole milli-unit, as Kubernetes does
    ['0', 0n],
    ['0e999', 0n],
    ['7Ei', 7n * 2n ** 60n * 1000n],
  ])('%s is %s milli-units', (text, milli) => {
    expect(parseQuantity(text)).toBe(milli);
  });

  it.each([['10 Gi'], ['-1'], ['1e999'], [''], ['Gi'], ['1GB'], ['1.2.3'], ['1e'], ['8Ei']])(
    'refuses %j with a reason',
    (text) => {
      expect(isQuantity(text)).toBe(false);
      expect(() => parseQuantity(text)).toThrow(/is not a quantity|is too large/);
    },
  );
});

describe('formatQuantity', () => {
  it.each([
    [2000n, 'decimal', '2'],
    [1500n, 'decimal', '1500m'],
    [10n * 2n ** 30n * 1000n, 'binary', '10Gi'],
    [1536n * 1000n, 'binary', '1536'],
    [3n * 2n ** 20n * 1000n, 'binary', '3Mi'],
    [-2000n, 'decimal', '-2'],
  ] as const)('%s (%s) is %s', (milli, hint, text) => {
    expect(formatQuantity(milli, hint)).toBe(text);
    expect(parseQuantity(text.replace('-', ''))).toBe(milli < 0n ? -milli : milli);
  });
});
