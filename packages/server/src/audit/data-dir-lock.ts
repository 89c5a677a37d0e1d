import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { AuditError } from './errors.js';

/** Lock files this process holds: a lock naming our own pid that is not here was left by an earlier life. */
const held = new Set<string>();

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return err instanceof Error && 'code' in err && err.code === 'EPERM';
  }
}

function holder(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch (err) {
    if (err instanceof Error && 'code' in err && err.code === 'ENOENT') return undefined;
    throw err;
  }
}

/**
 * PGlite is one embedded PostgreSQL with no lock of its own: two processes writing one data dir corrupt
 * it. Takes `<dir>/shipyard-audit.lock` (the holder's pid) or throws; a lock whose process is gone is
 * taken over. Returns the release function.
 */
export function lockDataDir(dir: string): () => void {
  const file = path.join(dir, 'shipyard-audit.lock');
  if (held.has(file)) throw new AuditError(`the audit data dir ${dir} is already open in this process`);
  const pid = holder(file);
  if (pid !== undefined && pid !== process.pid && alive(pid)) {
    throw new AuditError(
      `the audit data dir ${dir} is in use by process ${pid}: stop it, or give this server another data dir`,
    );
  }
  writeFileSync(file, `${process.pid}\n`);
  held.add(file);
  return () => {
    if (!held.delete(file)) return;
    rmSync(file, { force: true });
  };
}
