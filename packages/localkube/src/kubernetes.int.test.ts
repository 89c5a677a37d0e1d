// The ground is real: a local cluster's apiserver schedules, enforces quota and RBAC, and serves kubectl and helm.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  AppsV1Api,
  CoreV1Api,
  KubeConfig,
  RbacAuthorizationV1Api,
  setHeaderOptions,
  type V1Pod,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { binaries } from './binaries.js';
import { kubectl } from './cluster.js';
import { run } from './run.js';

const kubeconfig = inject('kubeconfig');
const cluster = { kubeconfig };
const kc = new KubeConfig();
kc.loadFromFile(kubeconfig);
const core = kc.makeApiClient(CoreV1Api);
const apps = kc.makeApiClient(AppsV1Api);
const rbac = kc.makeApiClient(RbacAuthorizationV1Api);
const ns = `found-${process.pid}`;

async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function runningPods(namespace: string, selector: string): Promise<V1Pod[]> {
  const pods = await core.listNamespacedPod({ namespace, labelSelector: selector });
  return pods.items.filter((p) => p.status?.phase === 'Running' && p.spec?.nodeName);
}

beforeAll(async () => {
  await core.createNamespace({ body: { metadata: { name: ns } } });
});
afterAll(async () => {
  await core.deleteNamespace({ name: ns });
});

describe('a local cluster', () => {
  it('schedules a Deployment of 3 replicas onto KWOK nodes and its pods reach Running', async () => {
    const labels = { app: 'web' };
    await apps.createNamespacedDeployment({
      namespace: ns,
      body: {
        metadata: { name: 'web' },
        spec: {
          replicas: 3,
          selector: { matchLabels: labels },
          template: { metadata: { labels }, spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } },
        },
      },
    });
    const pods = await eventually('3 running pods', async () => {
      const running = await runningPods(ns, 'app=web');
      return running.length === 3 ? running : undefined;
    });
    const nodes = await core.listNode();
    const kwokNodes = new Set(
      nodes.items
        .filter((n) => n.metadata?.annotations?.['kwok.x-k8s.io/node'] === 'fake')
        .map((n) => n.metadata?.name),
    );
    for (const pod of pods) expect(kwokNodes.has(pod.spec?.nodeName)).toBe(true);
    const deployment = await eventually('deployment available', async () => {
      const d = await apps.readNamespacedDeployment({ namespace: ns, name: 'web' });
      return d.status?.availableReplicas === 3 ? d : undefined;
    });
    expect(deployment.status?.readyReplicas).toBe(3);
  });

  it('refuses a pod over its namespace ResourceQuota with the quota message', async () => {
    const quotaNs = `${ns}-quota`;
    await core.createNamespace({ body: { metadata: { name: quotaNs } } });
    try {
      await core.createNamespacedResourceQuota({
        namespace: quotaNs,
        body: { metadata: { name: 'small' }, spec: { hard: { 'requests.cpu': '1', 'limits.cpu': '2' } } },
      });
      // Admission checks against the status the quota controller computes: wait for it.
      await eventually('quota status', async () => {
        const q = await core.readNamespacedResourceQuota({ namespace: quotaNs, name: 'small' });
        return q.status?.hard ? q : undefined;
      });
      const pod = (name: string, cpu: string) => ({
        metadata: { name },
        spec: {
          containers: [{ name: 'c', image: 'busybox', resources: { requests: { cpu }, limits: { cpu } } }],
        },
      });
      await core.createNamespacedPod({ namespace: quotaNs, body: pod('fits', '500m') });
      const refused = await core.createNamespacedPod({ namespace: quotaNs, body: pod('too-big', '2') }).then(
        () => undefined,
        (e: { code?: number; body?: string }) => e,
      );
      expect(refused?.code).toBe(403);
      expect(refused?.body).toMatch(/exceeded quota: small, requested: .*requests\.cpu=2/);
    } finally {
      await core.deleteNamespace({ name: quotaNs });
    }
  });

  it('lets alice get pods but not delete them through Impersonate-User', async () => {
    await rbac.createNamespacedRole({
      namespace: ns,
      body: {
        metadata: { name: 'pod-reader' },
        rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] }],
      },
    });
    await rbac.createNamespacedRoleBinding({
      namespace: ns,
      body: {
        metadata: { name: 'alice-reads-pods' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'pod-reader' },
        subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'alice' }],
      },
    });
    await core.createNamespacedPod({
      namespace: ns,
      body: { metadata: { name: 'victim' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } },
    });
    const asAlice = setHeaderOptions('Impersonate-User', 'alice');
    const asBob = setHeaderOptions('Impersonate-User', 'bob');
    // RBAC caches refresh from informers; the binding takes effect within moments.
    const pod = await eventually('alice may get', () =>
      core.readNamespacedPod({ namespace: ns, name: 'victim' }, asAlice).catch(() => undefined),
    );
    expect(pod.metadata?.name).toBe('victim');
    const denied = await core.deleteNamespacedPod({ namespace: ns, name: 'victim' }, asAlice).then(
      () => undefined,
      (e: { code?: number; body?: string }) => e,
    );
    expect(denied?.code).toBe(403);
    expect(denied?.body).toContain('User \\"alice\\" cannot delete resource \\"pods\\"');
    const bob = await core.readNamespacedPod({ namespace: ns, name: 'victim' }, asBob).then(
      () => 200,
      (e: { code?: number }) => e.code,
    );
    expect(bob).toBe(403);
    // The pod is still there.
    expect((await core.readNamespacedPod({ namespace: ns, name: 'victim' })).metadata?.name).toBe('victim');
  });

  it('works with kubectl and helm: install a chart built from files, pods Running, uninstall removes them', async () => {
    const bins = binaries();
    const version = JSON.parse(await kubectl(cluster, ['version', '-o', 'json'])) as {
      serverVersion: { gitVersion: string };
    };
    expect(version.serverVersion.gitVersion).toMatch(/^v1\.34\.\d+$/);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'chart-'));
    try {
      const chart = path.join(dir, 'hello');
      mkdirSync(path.join(chart, 'templates'), { recursive: true });
      writeFileSync(path.join(chart, 'Chart.yaml'), 'apiVersion: v2\nname: hello\nversion: 0.1.0\n');
      writeFileSync(path.join(chart, 'values.yaml'), 'replicas: 2\n');
      writeFileSync(
        path.join(chart, 'templates/deployment.yaml'),
        [
          'apiVersion: apps/v1',
          'kind: Deployment',
          'metadata: {name: {{ .Release.Name }}-hello}',
          'spec:',
          '  replicas: {{ .Values.replicas }}',
          '  selector: {matchLabels: {release: {{ .Release.Name }}}}',
          '  template:',
          '    metadata: {labels: {release: {{ .Release.Name }}}}',
          '    spec: {containers: [{name: hello, image: "nginx:1.27"}]}',
          '',
        ].join('\n'),
      );
      const helm = (args: string[]) =>
        run(bins.helm, [...args, '--kubeconfig', kubeconfig, '--namespace', ns], {
          env: { ...process.env, HELM_CACHE_HOME: dir, HELM_CONFIG_HOME: dir, HELM_DATA_HOME: dir },
        });
      await helm(['install', 'hi', chart, '--wait', '--timeout', '90s']);
      const running = await runningPods(ns, 'release=hi');
      expect(running).toHaveLength(2);
      const listed = JSON.parse(await helm(['list', '-o', 'json'])) as { name: string; status: string }[];
      expect(listed.find((r) => r.name === 'hi')?.status).toBe('deployed');
      const kubectlPods = await kubectl(cluster, ['get', 'pods', '-n', ns, '-l', 'release=hi', '-o', 'name']);
      expect(kubectlPods.trim().split('\n')).toHaveLength(2);
      await helm(['uninstall', 'hi', '--wait', '--timeout', '90s']);
      await eventually('pods gone', async () =>
        (await core.listNamespacedPod({ namespace: ns, labelSelector: 'release=hi' })).items.length === 0
          ? true
          : undefined,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
