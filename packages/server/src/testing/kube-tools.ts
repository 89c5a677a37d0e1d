/** kubectl and helm as a person runs them against Shipyard: with a kubeconfig from the server, as some user. */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { binaries } from '@shipyard/localkube';
import { eventually, type ApiClient } from './server.js';

export type ToolResult = { code: number; out: string; err: string };

/** Runs a binary to completion (2 min at most); never throws for a non-zero exit. */
export function runTool(bin: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<ToolResult> {
  return new Promise((resolve) => {
    execFile(bin, args, { env: { ...process.env, ...env }, timeout: 120_000 }, (e, out, err) =>
      resolve({ code: e ? Number(e.code ?? 1) : 0, out, err }),
    );
  });
}

/** GET /api/v1/clusters/{cluster}/kubeconfig as the client (token or session), saved as dir/name.kubeconfig. */
export async function kubeconfigFor(
  client: ApiClient,
  cluster: string,
  dir: string,
  name: string,
): Promise<string> {
  const r = await fetch(`${client.base}/api/v1/clusters/${cluster}/kubeconfig`, {
    headers: client.token ? { authorization: `Bearer ${client.token}` } : { cookie: client.cookie ?? '' },
  });
  if (r.status !== 200) throw new Error(`kubeconfig of ${cluster}: ${r.status} ${await r.text()}`);
  const file = path.join(dir, `${name}.kubeconfig`);
  writeFileSync(file, await r.text());
  return file;
}

/** kubectl with a kubeconfig. */
export const kubectlWith = (file: string, ...args: string[]) =>
  runTool(binaries().kubectl, ['--kubeconfig', file, ...args]);

/** kubectl with a kubeconfig and more environment (KUBECTL_REMOTE_COMMAND_WEBSOCKETS=false and the like). */
export const kubectlWithEnv = (file: string, args: string[], env: NodeJS.ProcessEnv) =>
  runTool(binaries().kubectl, ['--kubeconfig', file, ...args], env);

export type RunningKubectl = {
  child: ChildProcess;
  /** What it wrote so far. */
  output: { out: string; err: string };
  /** Resolves the match once its stdout matches `re` (30 s at most); fails at once if it exits first. */
  waitFor(re: RegExp, what: string): Promise<RegExpExecArray>;
  /** Kills it; resolves once it is gone. */
  stop(): Promise<void>;
};

/** Every kubectl that startKubectl started and that still runs. */
const running = new Set<ChildProcess>();

/** A kubectl that keeps running (logs -f, port-forward, attach): its output so far, and a way to wait for more. */
export function startKubectl(file: string, args: string[], env: NodeJS.ProcessEnv = {}): RunningKubectl {
  const child = spawn(binaries().kubectl, ['--kubeconfig', file, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  child.on('exit', () => running.delete(child));
  const output = { out: '', err: '' };
  child.stdout.on('data', (d: Buffer) => (output.out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output.err += d.toString()));
  return {
    child,
    output,
    waitFor: (re, what) =>
      eventually(
        what,
        async () => {
          const m = re.exec(output.out);
          if (m) return m;
          if (child.exitCode !== null) throw new Error(`kubectl exited ${child.exitCode}: ${output.err}`);
          return undefined;
        },
        30_000,
      ),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      }),
  };
}

/** Kills every kubectl that startKubectl started and that still runs (a test that failed midway leaves some). */
export function killKubectls(): void {
  for (const child of running) child.kill('SIGKILL');
}

/** helm with a kubeconfig and its own cache/config dirs under `home`. */
export const helmWith = (file: string, home: string, ...args: string[]) =>
  runTool(binaries().helm, [...args, '--kubeconfig', file], {
    HELM_CACHE_HOME: home,
    HELM_CONFIG_HOME: home,
    HELM_DATA_HOME: home,
  });

/** A chart with one ConfigMap named <release>-cm, written under dir/name; returns its path. */
export function writeConfigMapChart(dir: string, name = 'chart'): string {
  const chart = path.join(dir, name);
  mkdirSync(path.join(chart, 'templates'), { recursive: true });
  writeFileSync(path.join(chart, 'Chart.yaml'), 'apiVersion: v2\nname: hello\nversion: 0.1.0\n');
  writeFileSync(
    path.join(chart, 'templates/cm.yaml'),
    'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: {{ .Release.Name }}-cm}\ndata: {x: "1"}\n',
  );
  return chart;
}
