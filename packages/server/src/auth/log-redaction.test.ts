import { PassThrough } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { logRedaction } from './log-redaction.js';

function logOf(obj: object): string {
  const out = new PassThrough();
  const lines: string[] = [];
  out.on('data', (d: Buffer) => lines.push(d.toString()));
  pino({ redact: logRedaction }, out).info(obj, 'line');
  return lines.join('');
}

describe('logRedaction', () => {
  it('blanks credentials in headers wherever a request, an answer or an error carries them', () => {
    const line = logOf({
      req: { headers: { authorization: 'Bearer syt_secret-1', cookie: 'shipyard_session=sys_secret-2' } },
      res: { headers: { 'set-cookie': 'shipyard_session=sys_secret-3' } },
      err: { headers: { authorization: 'Bearer secret-4', 'x-csrf-token': 'secret-5' } },
      headers: { 'proxy-authorization': 'Basic secret-6', 'impersonate-user': 'alice' },
    });
    expect(line).not.toMatch(/secret-\d/);
    expect(line).toContain('"impersonate-user":"alice"');
    expect(line).toContain('[redacted]');
  });

  it('blanks fields named like a password, token or key, at the top and one level down', () => {
    const line = logOf({
      password: 'secret-1',
      body: { username: 'alice', password: 'secret-2' },
      token: 'secret-3',
      issued: { token: 'secret-4', csrfToken: 'secret-5' },
      tls: { privateKey: 'secret-6' },
    });
    expect(line).not.toMatch(/secret-\d/);
    expect(line).toContain('"username":"alice"');
  });
});
