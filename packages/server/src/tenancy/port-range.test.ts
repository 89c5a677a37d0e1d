import { describe, expect, it } from 'vitest';
import { contains, overlaps, parsePortRange } from './port-range.js';

describe('port ranges', () => {
  it('parses ranges and single ports, and says what is wrong', () => {
    expect(parsePortRange('20000-21000')).toEqual({ from: 20000, to: 21000 });
    expect(parsePortRange('8080')).toEqual({ from: 8080, to: 8080 });
    expect(parsePortRange('21000-20000')).toBe('"21000-20000": the first port is after the last');
    expect(parsePortRange('0-10')).toBe('"0-10": ports are 1-65535');
    expect(parsePortRange('1-65536')).toBe('"1-65536": ports are 1-65535');
  });

  it('knows containment and overlap, ends included', () => {
    const pool = { from: 20000, to: 29999 };
    expect(contains(pool, { from: 20000, to: 29999 })).toBe(true);
    expect(contains(pool, { from: 19999, to: 20010 })).toBe(false);
    expect(overlaps({ from: 1, to: 10 }, { from: 10, to: 20 })).toBe(true);
    expect(overlaps({ from: 1, to: 10 }, { from: 11, to: 20 })).toBe(false);
  });
});
