// The localkube CLI as a person runs it: real processes, real clusters, and what bad input gets.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { workDir } from './paths.js';

const bin = path.resolve(import.meta.dirname, '../bin/localkube.js');

function localkube(args: string[], env: NodeJS.ProcessEnv = {}) {
  return new Promise<{ code: number; out: string; err: string }>((resolve) => {
    execFile(
      process.execPath,
      [bin, ...args],
      { env: { ...process.env, ...env }, timeout: 240_000 },
      (e, out, err) => resolve({ code: e ? Number(e.code ?? 1) : 0, out, err }),
    );
  });
}

const clusterDir = (name: string) => path.join(workDir(), 'clusters', name);

afterAll(async () => {
  for (const name of ['side-a', 'side-b', 'taken']) {
    if (existsSync(clusterDir(name))) await localkube(['down', name]);
  }
});

describe('localkube CLI', () => {
  it('runs two clusters side by side, lists them, prints a kubeconfig path, and takes them down', async () => {
    const [a, b] = await Promise.all([
      localkube(['up', 'side-a', '--nodes', '2']),
      localkube(['up', 'side-b']),
    ]);
    expect(a.err).toBe('');
    expect(a.code).toBe(0);
    expect(b.code).toBe(0);
    expect(a.out).toMatch(/cluster side-a is up at https:\/\/127\.0\.0\.1:\d+/);

    const list = await localkube(['list']);
    const rows = list.out
      .trim()
      .split('\n')
      .map((l) => l.split('\t'));
    const names = rows.map((r) => r[0]);
    expect(names).toEqual(expect.arrayContaining(['side-a', 'side-b']));
    const servers = rows.filter((r) => r[0]?.startsWith('side-')).map((r) => r[1]);
    expect(new Set(servers).size).toBe(2);

    const kc = await localkube(['kubeconfig', 'side-a']);
    expect(kc.code).toBe(0);
    const kubeconfig = kc.out.trim();
    expect(kubeconfig).toBe(path.join(clusterDir('side-a'), 'kubeconfig.yaml'));
    const { kubectl } = await import('./cluster.js');
    const nodes = await kubectl({ kubeconfig }, ['get', 'nodes', '-o', 'name']);
    expect(nodes.trim().split('\n').sort()).toEqual(['node/side-a-node-0', 'node/side-a-node-1']);

    const down = await localkube(['down', 'side-a']);
    expect(down.code).toBe(0);
    expect(existsSync(clusterDir('side-a'))).toBe(false);
    expect((await localkube(['down', 'side-b'])).code).toBe(0);
  });

  it('refuses an unknown cluster name with one line and a non-zero exit', async () => {
    for (const args of [
      ['down', 'nope'],
      ['kubeconfig', 'nope'],
    ]) {
      const r = await localkube(args);
      expect(r.code).toBe(1);
      expect(r.err).toBe('localkube: no local cluster named "nope": see localkube list\n');
    }
  });

  it('refuses a port already taken and creates nothing', async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const r = await localkube(['up', 'taken', '--port', String(port)]);
      expect(r.code).toBe(1);
      expect(r.err).toBe(
        `localkube: port ${port} is already in use on 127.0.0.1: choose another --port or omit it\n`,
      );
      expect(existsSync(clusterDir('taken'))).toBe(false);
    } finally {
      blocker.close();
    }
  });

  it('names the fix when the binaries are missing, and creates nothing', async () => {
    const r = await localkube(['up', 'taken'], { LOCALKUBE_BIN_DIR: '/nonexistent/bin' });
    expect(r.code).toBe(1);
    expect(r.err).toMatch(
      /^localkube: missing Kubernetes binaries \(etcd, .*helm\) in \/nonexistent\/bin: run npm run setup\n$/,
    );
    expect(existsSync(clusterDir('taken'))).toBe(false);
  });

  it('removes what a failed up made', async () => {
    // An apiserver flag it rejects makes kwokctl fail after it has written the cluster's files.
    const { up } = await import('./cluster.js');
    await expect(up({ name: 'taken', apiserverArgs: ['no-such-flag=1'], timeoutMs: 60_000 })).rejects.toThrow(
      /kube-apiserver exited: Error: unknown flag: --no-such-flag/,
    );
    expect(existsSync(clusterDir('taken'))).toBe(false);
  });
});
