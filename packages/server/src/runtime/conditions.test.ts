import { describe, expect, it } from 'vitest';
import {
  findCondition,
  isConditionTrue,
  removeCondition,
  setCondition,
  type Condition,
} from './conditions.js';

const t0 = new Date('2025-01-01T10:00:00.123Z');
const t1 = new Date('2025-01-01T11:00:00.000Z');

describe('setCondition', () => {
  it('adds a new condition with lastTransitionTime now (seconds precision, as the apiserver writes)', () => {
    const out = setCondition(
      undefined,
      { type: 'Ready', status: 'False', reason: 'Pending', message: 'waiting' },
      t0,
    );
    expect(out).toEqual([
      {
        type: 'Ready',
        status: 'False',
        reason: 'Pending',
        message: 'waiting',
        lastTransitionTime: '2025-01-01T10:00:00Z',
      },
    ]);
  });

  it('keeps lastTransitionTime when the status does not change, but updates reason, message, generation', () => {
    const a = setCondition(
      [],
      { type: 'Ready', status: 'False', reason: 'Pending', observedGeneration: 1 },
      t0,
    );
    const b = setCondition(
      a,
      { type: 'Ready', status: 'False', reason: 'QuotaExceeded', message: 'x', observedGeneration: 2 },
      t1,
    );
    expect(b[0]).toEqual({
      type: 'Ready',
      status: 'False',
      reason: 'QuotaExceeded',
      message: 'x',
      lastTransitionTime: '2025-01-01T10:00:00Z',
      observedGeneration: 2,
    });
  });

  it('moves lastTransitionTime when the status changes', () => {
    const a = setCondition([], { type: 'Ready', status: 'False', reason: 'Pending' }, t0);
    const b = setCondition(a, { type: 'Ready', status: 'True', reason: 'Reconciled' }, t1);
    expect(b[0]?.lastTransitionTime).toBe('2025-01-01T11:00:00Z');
  });

  it('returns the same array when nothing changes, so a status write can be skipped', () => {
    const a = setCondition(
      [],
      { type: 'Ready', status: 'True', reason: 'Reconciled', observedGeneration: 3 },
      t0,
    );
    expect(
      setCondition(a, { type: 'Ready', status: 'True', reason: 'Reconciled', observedGeneration: 3 }, t1),
    ).toBe(a);
  });

  it('leaves other conditions and their order alone and does not modify its input', () => {
    const input: Condition[] = [
      { type: 'A', status: 'True', reason: 'Ok', message: '', lastTransitionTime: '2024-01-01T00:00:00Z' },
      {
        type: 'Ready',
        status: 'Unknown',
        reason: 'Init',
        message: '',
        lastTransitionTime: '2024-01-01T00:00:00Z',
      },
      { type: 'B', status: 'False', reason: 'No', message: '', lastTransitionTime: '2024-01-01T00:00:00Z' },
    ];
    const copy = structuredClone(input);
    const out = setCondition(input, { type: 'Ready', status: 'True', reason: 'Done' }, t1);
    expect(input).toEqual(copy);
    expect(out.map((c) => c.type)).toEqual(['A', 'Ready', 'B']);
    expect(out[0]).toBe(input[0]);
    expect(out[1]).toMatchObject({
      status: 'True',
      reason: 'Done',
      lastTransitionTime: '2025-01-01T11:00:00Z',
    });
  });

  it('fills in a missing lastTransitionTime even if the status is unchanged', () => {
    const out = setCondition(
      [{ type: 'Ready', status: 'True', reason: 'Ok' }],
      { type: 'Ready', status: 'True', reason: 'Ok' },
      t0,
    );
    expect(out[0]?.lastTransitionTime).toBe('2025-01-01T10:00:00Z');
  });
});

describe('find, isTrue, remove', () => {
  const list = setCondition([], { type: 'Ready', status: 'True', reason: 'Ok' }, t0);
  it('finds by type', () => {
    expect(findCondition(list, 'Ready')?.reason).toBe('Ok');
    expect(findCondition(undefined, 'Ready')).toBeUndefined();
    expect(isConditionTrue(list, 'Ready')).toBe(true);
    expect(isConditionTrue(list, 'Other')).toBe(false);
  });
  it('removes by type', () => {
    expect(removeCondition(list, 'Ready')).toEqual([]);
    expect(removeCondition(list, 'Other')).toBe(list);
  });
});
