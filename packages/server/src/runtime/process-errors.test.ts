import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const module = fileURLToPath(new URL('./process-errors.ts', import.meta.url));

/** Runs `body` in a node process of its own (a stray error there must not reach this test's process). */
function run(body: string): Promise<{ code: number; stdout: string }> {
  const script = `import { surviveStrayErrors } from ${JSON.stringify(module)};
const logger = { error: (f, msg) => console.log('logged:', msg, f.err?.message ?? f.err), child: () => logger };
${body}`;
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', script],
      { timeout: 20_000 },
      (err, stdout) => resolve({ code: err ? Number(err.code ?? 1) : 0, stdout }),
    );
  });
}

describe('surviveStrayErrors', () => {
  it('logs an uncaught exception and an unhandled rejection, and the process goes on', async () => {
    const r = await run(`surviveStrayErrors(logger);
setTimeout(() => { throw new Error('boom in a socket handler'); }, 10);
setTimeout(() => void Promise.reject(new Error('stray rejection')), 20);
setTimeout(() => console.log('still serving'), 200);`);
    expect(r.stdout).toContain('logged: uncaught exception; the server goes on boom in a socket handler');
    expect(r.stdout).toContain('logged: unhandled promise rejection; the server goes on stray rejection');
    expect(r.stdout).toContain('still serving');
    expect(r.code).toBe(0);
  });

  it('once stopped, a stray error ends the process as before', async () => {
    const r = await run(`const stop = surviveStrayErrors(logger); stop();
setTimeout(() => { throw new Error('boom'); }, 10);
setTimeout(() => console.log('still serving'), 200);`);
    expect(r.stdout).not.toContain('still serving');
    expect(r.code).not.toBe(0);
  });
});
