import { execFile } from 'node:child_process';

export type RunOptions = {
  env?: NodeJS.ProcessEnv;
  input?: string;
  timeoutMs?: number;
  signal?: AbortSignal;
};

/** Runs a program to completion; resolves its stdout, rejects with the last lines of its stderr. */
export function run(file: string, args: readonly string[], opts: RunOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      file,
      args,
      {
        env: opts.env ?? process.env,
        timeout: opts.timeoutMs ?? 120_000,
        maxBuffer: 64 << 20,
        signal: opts.signal,
      },
      (err, stdout, stderr) => {
        if (!err) return resolve(stdout);
        const tail = (stderr || stdout || err.message).trim().split('\n').slice(-5).join('\n');
        reject(new Error(`${file.split('/').pop()} ${args.slice(0, 3).join(' ')}: ${tail}`));
      },
    );
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}
