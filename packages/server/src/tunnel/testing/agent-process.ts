/** The real agent (packages/agent) as a child process, the way it runs: through its bin. */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../../../../agent/bin/shipyard-agent.js', import.meta.url));

export class AgentProcess {
  readonly child: ChildProcess;
  /** Its stderr, line by line (one per state change). */
  readonly lines: string[] = [];
  /** Resolves with the exit code (or the signal's name). */
  readonly exited: Promise<number | string>;

  constructor(args: string[]) {
    this.child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let partial = '';
    this.child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      const parts = (partial + chunk).split('\n');
      partial = parts.pop() ?? '';
      this.lines.push(...parts);
    });
    this.exited = new Promise((resolve) =>
      this.child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')),
    );
  }

  signal(sig: NodeJS.Signals): void {
    this.child.kill(sig);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    await this.exited;
  }
}
