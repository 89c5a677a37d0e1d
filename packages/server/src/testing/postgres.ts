import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

/** A throwaway PostgreSQL server: `url` reaches the `postgres` database as the superuser `postgres`. */
export interface TestPostgres {
  url: string;
  port: number;
  /** Stops the server (no process is left) and removes its directory. Safe to call twice. */
  stop(): Promise<void>;
}

export interface StartPostgresOptions {
  /** Default: Debian's PostgreSQL 15. */
  binDir?: string;
  /** Default: 30 s. */
  timeoutMs?: number;
}

const debianBinDir = '/usr/lib/postgresql/15/bin';
const execFileAsync = promisify(execFile);

type Identity = { uid: number; gid: number } | undefined;

/** PostgreSQL refuses to run as root: as root, run it as the `postgres` system user. */
async function identity(): Promise<Identity> {
  if (process.getuid?.() !== 0) return undefined;
  const id = async (flag: string): Promise<number> =>
    Number((await execFileAsync('id', [flag, 'postgres'])).stdout.trim());
  try {
    return { uid: await id('-u'), gid: await id('-g') };
  } catch (err) {
    throw new Error('tests run as root and there is no `postgres` user: install Debian postgresql', {
      cause: err,
    });
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen({ port: 0, host: '127.0.0.1', exclusive: true }, () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/** Keeps the last lines a process printed, for error messages. */
function tail(child: ChildProcess): () => string {
  let text = '';
  const keep = (chunk: Buffer): void => {
    text = (text + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return () => text.trim().split('\n').slice(-8).join('\n');
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

function spawnAs(who: Identity, file: string, args: string[], cwd: string): ChildProcess {
  // LC_ALL=C: PostgreSQL's messages (and "ready to accept connections") in English.
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C', LANG: 'C', TZ: 'UTC', HOME: cwd };
  return spawn(file, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], ...(who ?? {}) });
}

async function initdb(who: Identity, binDir: string, dir: string, data: string): Promise<void> {
  const child = spawnAs(
    who,
    path.join(binDir, 'initdb'),
    [
      '-D',
      data,
      '-U',
      'postgres',
      '--auth=trust',
      '--no-sync',
      '--no-instructions',
      '-E',
      'UTF8',
      '--locale=C',
    ],
    dir,
  );
  const output = tail(child);
  const code = await exited(child);
  if (code !== 0) throw new Error(`initdb failed (exit ${code}):\n${output()}`);
  // Trust, and only on loopback over TCP: no socket, no other host.
  const hba = path.join(data, 'pg_hba.conf');
  writeFileSync(hba, 'host all all 127.0.0.1/32 trust\n', { mode: 0o600 });
  if (who) chownSync(hba, who.uid, who.gid);
}

/** Starts the postmaster; resolves once it accepts connections. */
async function postmaster(options: {
  who: Identity;
  binDir: string;
  dir: string;
  data: string;
  port: number;
  timeoutMs: number;
}): Promise<ChildProcess> {
  const { who, binDir, dir, data, port, timeoutMs } = options;
  const settings = {
    listen_addresses: '127.0.0.1',
    unix_socket_directories: '',
    fsync: 'off',
    synchronous_commit: 'off',
    full_page_writes: 'off',
    max_connections: '50',
  };
  const args = [
    '-D',
    data,
    '-p',
    String(port),
    ...Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`]),
  ];
  const child = spawnAs(who, path.join(binDir, 'postgres'), args, dir);
  const output = tail(child);
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    new Promise<'ready'>((resolve) => {
      const ready = (chunk: Buffer): void => {
        if (chunk.toString().includes('ready to accept connections')) resolve('ready');
      };
      child.stderr?.on('data', ready);
      child.stdout?.on('data', ready);
    }),
    exited(child).then(() => 'exited' as const),
    new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs))),
  ]);
  clearTimeout(timer);
  if (outcome === 'ready') return child;
  child.kill('SIGKILL');
  await exited(child);
  throw new Error(`postgres ${outcome === 'timeout' ? 'did not start in time' : 'exited'}:\n${output()}`);
}

/** Stops a postmaster: fast shutdown, then immediate, then SIGKILL. */
async function shutdown(child: ChildProcess): Promise<void> {
  for (const [signal, waitMs] of [
    ['SIGINT', 10_000],
    ['SIGQUIT', 5_000],
    ['SIGKILL', 5_000],
  ] as const) {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill(signal);
    let timer: NodeJS.Timeout | undefined;
    const done = await Promise.race([
      exited(child).then(() => true),
      new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), waitMs))),
    ]);
    clearTimeout(timer);
    if (done) return;
  }
}

/**
 * Starts a real PostgreSQL (Debian's 15) in a fresh temp dir on a free 127.0.0.1 port, trust auth on
 * loopback only, durability off (a test server). Call `stop()` when done.
 */
export async function startPostgres(options: StartPostgresOptions = {}): Promise<TestPostgres> {
  const binDir = options.binDir ?? debianBinDir;
  if (!existsSync(path.join(binDir, 'postgres'))) {
    throw new Error(`no PostgreSQL in ${binDir}: install Debian postgresql (npm run setup)`);
  }
  const who = await identity();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'shipyard-pg-'));
  if (who) chownSync(dir, who.uid, who.gid);
  const data = path.join(dir, 'data');
  let child: ChildProcess | undefined;
  // Should the test process end without stop(), take the server down with it.
  const onExit = (): void => {
    child?.kill('SIGQUIT');
  };
  try {
    await initdb(who, binDir, dir, data);
    const timeoutMs = options.timeoutMs ?? 30_000;
    // A port found free can be taken before postgres binds it: try another.
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      try {
        child = await postmaster({ who, binDir, dir, data, port, timeoutMs });
      } catch (err) {
        if (
          attempt < 3 &&
          err instanceof Error &&
          /could not bind|Address already in use/.test(err.message)
        ) {
          continue;
        }
        throw err;
      }
      process.once('exit', onExit);
      const running = child;
      let stopped: Promise<void> | undefined;
      return {
        url: `postgres://postgres@127.0.0.1:${port}/postgres`,
        port,
        stop() {
          stopped ??= (async () => {
            process.off('exit', onExit);
            await shutdown(running);
            rmSync(dir, { recursive: true, force: true });
          })();
          return stopped;
        },
      };
    }
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
