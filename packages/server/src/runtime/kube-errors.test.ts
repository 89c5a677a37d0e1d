import { describe, expect, it } from 'vitest';
import { errorFromResponse, KubeApiError, toKubeApiError } from './kube-errors.js';

describe('toKubeApiError', () => {
  it('reads a Kubernetes Status body', () => {
    const e = errorFromResponse(
      403,
      JSON.stringify({ kind: 'Status', code: 403, reason: 'Forbidden', message: 'no' }),
    );
    expect(e).toMatchObject({
      status: 403,
      statusCode: 403,
      reason: 'Forbidden',
      message: 'no',
      permanent: true,
    });
  });

  it('takes a watch ERROR event object (Status) and marks 410 as gone', () => {
    const e = toKubeApiError({
      kind: 'Status',
      code: 410,
      reason: 'Expired',
      message: 'too old resource version',
    });
    expect(e).toMatchObject({ status: 410, gone: true, permanent: false });
  });

  it("takes client-node Watch's error (statusCode and a status text)", () => {
    const err = Object.assign(new Error('Unauthorized'), { statusCode: 401 });
    expect(toKubeApiError(err)).toMatchObject({ status: 401, reason: 'Unauthorized', permanent: true });
  });

  it('takes an ApiException-like error (numeric code and a body)', () => {
    const err = Object.assign(new Error('HTTP-Code: 404'), {
      code: 404,
      body: '{"reason":"NotFound","message":"gone"}',
    });
    expect(toKubeApiError(err)).toMatchObject({ status: 404, reason: 'NotFound', message: 'gone' });
  });

  it('keeps a system error code as the reason, with no status', () => {
    const err = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    const e = toKubeApiError(err);
    expect(e).toMatchObject({ status: undefined, reason: 'ECONNREFUSED', permanent: false });
    expect(e.cause).toBe(err);
  });

  it('names aborts and timeouts', () => {
    expect(toKubeApiError(new DOMException('x', 'AbortError')).reason).toBe('Aborted');
    expect(toKubeApiError(new DOMException('x', 'TimeoutError')).reason).toBe('Timeout');
  });

  it('returns a KubeApiError unchanged and copes with non-JSON bodies', () => {
    const e = new KubeApiError({ reason: 'X', message: 'y' });
    expect(toKubeApiError(e)).toBe(e);
    expect(errorFromResponse(502, '<html>bad gateway</html>')).toMatchObject({
      status: 502,
      reason: 'HTTP502',
    });
  });
});
