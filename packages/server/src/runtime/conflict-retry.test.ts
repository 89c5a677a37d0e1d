import { describe, expect, it } from 'vitest';
import { retryOnConflict } from './conflict-retry.js';
import { KubeApiError } from './kube-errors.js';

const conflict = () => new KubeApiError({ status: 409, reason: 'Conflict', message: 'modified' });

describe('retryOnConflict', () => {
  it('runs again on 409 until it succeeds', async () => {
    let n = 0;
    const r = await retryOnConflict(
      async (attempt) => {
        n = attempt;
        if (attempt < 3) throw conflict();
        return 'ok';
      },
      { baseMs: 1 },
    );
    expect([r, n]).toEqual(['ok', 3]);
  });

  it('throws the last 409 after the attempts, any other error at once', async () => {
    let n = 0;
    const err = await retryOnConflict(
      async () => {
        n++;
        throw conflict();
      },
      { attempts: 4, baseMs: 1 },
    ).catch((e: unknown) => e);
    expect([n, (err as KubeApiError).status]).toEqual([4, 409]);
    n = 0;
    const other = await retryOnConflict(async () => {
      n++;
      throw new KubeApiError({ status: 422, reason: 'Invalid', message: 'bad' });
    }).catch((e: unknown) => e);
    expect([n, (other as KubeApiError).status]).toEqual([1, 422]);
  });
});
