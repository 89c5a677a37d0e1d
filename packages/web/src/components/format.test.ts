import { describe, expect, it } from 'vitest';
import { formatBytes, formatCpu, quantityValue } from './format';

describe('quantity display', () => {
  it('reads the quantities nodes and clusters report', () => {
    expect(quantityValue('3500m')).toBe(3.5);
    expect(quantityValue('2')).toBe(2);
    expect(quantityValue('1Ki')).toBe(1024);
    expect(quantityValue('1e3')).toBe(1000);
    expect(quantityValue('10x')).toBeNaN();
    expect(quantityValue(undefined)).toBeNaN();
  });

  it('shows cores and binary sizes', () => {
    expect(formatCpu('3500m')).toBe('3.5');
    expect(formatCpu('32')).toBe('32');
    expect(formatBytes('16318504Ki')).toBe('15.6 GiB');
    expect(formatBytes('1536Mi')).toBe('1.5 GiB');
    expect(formatBytes('1288490189')).toBe('1.2 GiB');
    expect(formatBytes('8Gi')).toBe('8 GiB');
    expect(formatBytes('512')).toBe('512 B');
    expect(formatBytes('bogus')).toBe('bogus');
  });
});
