/** kubectl and helm as a person runs them against Shipyard: with a kubeconfig from the server, as some user. */
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { binaries } from '@shipyard/localkube';
import type { ApiClient } from './server.js';

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
