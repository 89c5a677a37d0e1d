// The informer against the run's real local cluster: events, 410 after an etcd compaction, 403, outages.
import type { KubernetesObject } from '@kubernetes/client-node';
import { register } from 'prom-client';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { sleep } from './backoff.js';
import { KubeInformer } from './informer.js';
import type { InformerOptions } from './informer.types.js';
import { kubeRequest } from './kube-request.js';
import {
  compactEtcd,
  createNamespace,
  deleteNamespace,
  eventually,
  impersonating,
  loadKubeConfig,
} from './testing/cluster.js';
import { testLogger } from './testing/fake-apiserver.js';
import { TcpProxy } from './testing/tcp-proxy.js';

type ConfigMap = KubernetesObject & { data?: Record<string, string> };

const kubeconfig = inject('kubeconfig');
const cluster = inject('clusterName');
const kc = loadKubeConfig(kubeconfig);
const ns = `rt-informer-${process.pid}`;
const cms = `/api/v1/namespaces/${ns}/configmaps`;
const informers: Array<{ stop(): Promise<void> }> = [];
const proxies: TcpProxy[] = [];

function informer<T extends KubernetesObject>(
  opts: Omit<InformerOptions<T>, 'cluster' | 'logger'>,
): KubeInformer<T> {
  const inf = new KubeInformer<T>({ cluster, logger: testLogger(), ...opts });
  informers.push(inf);
  return inf;
}

async function createConfigMap(name: string, labels: Record<string, string> = { app: 'rt' }): Promise<void> {
  await kubeRequest(kc, { method: 'POST', path: cms, body: { metadata: { name, labels } } });
}

async function relists(reason: string): Promise<number> {
  const m = (await register.getMetricsAsJSON()).find((x) => x.name === 'shipyard_informer_relists_total');
  return m?.values.filter((v) => v.labels.reason === reason).reduce((n, v) => n + v.value, 0) ?? 0;
}

beforeAll(async () => {
  await createNamespace(kc, ns);
});
afterEach(async () => {
  for (const inf of informers.splice(0)) await inf.stop();
  for (const p of proxies.splice(0)) await p.close();
});
afterAll(async () => {
  await deleteNamespace(kc, ns);
});

describe('informer on a real apiserver', () => {
  it('sees add, update and delete of ConfigMaps matching a label selector, and reports synced', async () => {
    await createConfigMap('before');
    await createConfigMap('unlabelled', {});
    const inf = informer<ConfigMap>({ kubeConfig: kc, path: cms, labelSelector: 'app=rt' });
    const events: string[] = [];
    inf.on('change', (o, type, old) =>
      events.push(
        `${type} ${o.metadata?.name} ${JSON.stringify(old?.data ?? null)}→${JSON.stringify(o.data ?? null)}`,
      ),
    );
    inf.start();
    await inf.synced();
    expect(inf.hasSynced).toBe(true);
    expect(inf.state).toBe('ready');
    expect(inf.list().map((o) => o.metadata?.name)).toEqual(['before']);
    expect(inf.get('before', ns)?.kind).toBe('ConfigMap');

    await createConfigMap('a');
    await kubeRequest(kc, {
      method: 'PATCH',
      path: `${cms}/a`,
      contentType: 'application/merge-patch+json',
      body: { data: { x: '1' } },
    });
    await kubeRequest(kc, { method: 'DELETE', path: `${cms}/a` });
    await createConfigMap('b', {});
    await createConfigMap('c');
    await eventually('c added', () => events.some((e) => e.startsWith('add c')));
    expect(events).toEqual([
      'add before null→null',
      'add a null→null',
      'update a null→{"x":"1"}',
      'delete a null→{"x":"1"}',
      'add c null→null',
    ]);
    expect(inf.get('b', ns)).toBeUndefined();
  });

  it('restarted from a resourceVersion that etcd has compacted, gets 410 and re-lists', async () => {
    // Core Events have no watch cache in kube-apiserver: their watches reach etcd, where compaction bites.
    const path = `/api/v1/namespaces/${ns}/events`;
    const event = (name: string): object => ({
      metadata: { name },
      involvedObject: { kind: 'ConfigMap', namespace: ns, name: 'x', apiVersion: 'v1' },
      reason: 'Test',
      message: name,
      type: 'Normal',
    });
    await kubeRequest(kc, { method: 'POST', path, body: event('e1') });
    const first = informer({ kubeConfig: kc, path });
    first.start();
    await first.synced();
    const snapshot = first.snapshot();
    expect(snapshot.items.map((o) => o.metadata?.name)).toEqual(['e1']);
    await first.stop();

    // While it was down: one event deleted, one created, and etcd compacted past its resourceVersion.
    await kubeRequest(kc, { method: 'DELETE', path: `${path}/e1` });
    await kubeRequest(kc, { method: 'POST', path, body: event('e2') });
    const revision = await compactEtcd(kubeconfig);
    expect(Number(revision)).toBeGreaterThan(Number(snapshot.resourceVersion));

    const before = await relists('expired');
    const resumed = informer({ kubeConfig: kc, path, resumeFrom: snapshot });
    const seen: string[] = [];
    resumed.on('change', (o, type) => seen.push(`${type} ${o.metadata?.name}`));
    resumed.start();
    await eventually('re-listed', () => resumed.list().some((o) => o.metadata?.name === 'e2'));
    expect(seen).toEqual(['add e1', 'delete e1', 'add e2']); // seed, then the re-list's diff
    expect(await relists('expired')).toBe(before + 1);
    await eventually('ready', () => resumed.state === 'ready');
    expect(resumed.list().map((o) => o.metadata?.name)).toEqual(['e2']);
  });

  it('stops with a failed state on 403 (impersonating a user without rights) and does not retry', async () => {
    const inf = informer({ kubeConfig: impersonating(kc, 'shipyard-nobody'), path: cms });
    inf.start();
    await expect(inf.synced()).rejects.toMatchObject({ status: 403, reason: 'Forbidden' });
    expect(inf.state).toBe('failed');
    expect(inf.lastError?.message).toContain('"shipyard-nobody" cannot list resource "configmaps"');
  });

  it('rides out an apiserver outage with growing backoff, then catches up', async () => {
    const { proxy, kubeConfig } = await TcpProxy.for(kc);
    proxies.push(proxy);
    const inf = informer({ kubeConfig, path: cms, backoff: { baseMs: 200, maxMs: 2_000, jitter: 0.25 } });
    inf.start();
    await inf.synced();
    proxy.set('refuse');
    const before = proxy.connections;
    await createConfigMap('during-outage');
    await sleep(6_000);
    const attempts = proxy.connections - before;
    expect(inf.state).toBe('retrying');
    // 200, 400, 800, 1600, 2000 ms ± 25 %: about 5 attempts in 6 s, not a tight loop.
    expect(attempts).toBeGreaterThanOrEqual(3);
    expect(attempts).toBeLessThanOrEqual(8);
    proxy.set('pass');
    await eventually('caught up', () => inf.state === 'ready' && inf.get('during-outage', ns), 10_000);
    console.log(`outage: ${attempts} connection attempts in 6 s; last error ${inf.lastError?.reason}`);
  });

  it('re-lists when a connection dies without a word (no events, no bookmarks: client-node #958)', async () => {
    const { proxy, kubeConfig } = await TcpProxy.for(kc);
    proxies.push(proxy);
    const inf = informer({
      kubeConfig,
      path: cms,
      silenceMs: 3_000,
      listTimeoutMs: 2_000,
      backoff: { baseMs: 200, maxMs: 1_000, jitter: 0.25 },
    });
    inf.start();
    await inf.synced();
    const before = await relists('silence');
    const frozenAt = performance.now();
    proxy.set('freeze'); // the watch's TCP connection stays open and goes quiet
    await createConfigMap('while-frozen');
    const deadline = performance.now() + 10_000;
    while ((await relists('silence')) === before && performance.now() < deadline) await sleep(50);
    const detectedMs = performance.now() - frozenAt;
    expect(await relists('silence')).toBe(before + 1);
    proxy.set('pass');
    await eventually('caught up', () => inf.state === 'ready' && inf.get('while-frozen', ns), 15_000);
    console.log(`silent connection detected after ${Math.round(detectedMs)} ms (silenceMs 3000)`);
  });
});
