import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { lockDataDir } from './data-dir-lock.js';
import { openAuditDb, redactUrl } from './db.js';
import { AuditError } from './errors.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'shipyard-audit-db-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('openAuditDb', () => {
  it('says which PostgreSQL it cannot reach, without the password', async () => {
    const err = await openAuditDb({ url: 'postgres://audit:hunter2@127.0.0.1:1/audit' }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(AuditError);
    expect(String(err)).toMatch(
      /cannot open the audit database at postgres:\/\/audit:\*\*\*@127\.0\.0\.1:1\/audit/,
    );
    expect(String(err)).not.toContain('hunter2');
  });

  it('masks passwords in URLs', () => {
    expect(redactUrl('postgres://u:p@h/db')).toBe('postgres://u:***@h/db');
    expect(redactUrl('postgres://h/db')).toBe('postgres://h/db');
    expect(redactUrl('not a url')).toBe('(an unparsable URL)');
  });
});

describe('lockDataDir', () => {
  it('refuses a data dir that is already open, in this process or another live one', () => {
    const release = lockDataDir(dir);
    expect(() => lockDataDir(dir)).toThrow(/already open in this process/);
    release();
    writeFileSync(path.join(dir, 'shipyard-audit.lock'), `${process.ppid}\n`);
    expect(() => lockDataDir(dir)).toThrow(`in use by process ${process.ppid}`);
  });

  it('takes over the lock of a process that is gone, or of an earlier life of this one', () => {
    for (const stale of ['2147483646', String(process.pid), 'garbage']) {
      writeFileSync(path.join(dir, 'shipyard-audit.lock'), stale);
      const release = lockDataDir(dir);
      release();
      release();
    }
  });
});
