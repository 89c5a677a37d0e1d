// A controller on real ConfigMaps: reconciles every object (also those that existed before it started),
// follows a second informer mapped to its keys, and retries a failing reconcile with backoff.
import type { KubernetesObject } from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { startController } from './controller.js';
import { KubeInformer } from './informer.js';
import { kubeRequest } from './kube-request.js';
import { splitKey } from './object-key.js';
import { createNamespace, deleteNamespace, eventually, loadKubeConfig } from './testing/cluster.js';
import { testLogger } from './testing/fake-apiserver.js';

type ConfigMap = KubernetesObject & { data?: Record<string, string> };

const kc = loadKubeConfig(inject('kubeconfig'));
const cluster = inject('clusterName');
const ns = `rt-controller-${process.pid}`;
const cms = `/api/v1/namespaces/${ns}/configmaps`;
const stops: Array<() => Promise<void>> = [];

async function createConfigMap(
  name: string,
  labels: Record<string, string>,
  data: Record<string, string> = {},
) {
  await kubeRequest(kc, { method: 'POST', path: cms, body: { metadata: { name, labels }, data } });
}

async function read(name: string): Promise<ConfigMap> {
  return (await kubeRequest(kc, { path: `${cms}/${name}` })) as ConfigMap;
}

beforeAll(async () => {
  await createNamespace(kc, ns);
});
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});
afterAll(async () => {
  await deleteNamespace(kc, ns);
});

describe('controller on a real apiserver', () => {
  it('reconciles every object, follows mapped events, and retries a failing reconcile with backoff', async () => {
    for (const name of ['p1', 'p2', 'flaky']) await createConfigMap(name, { app: 'rt-parent' });
    const parents = new KubeInformer<ConfigMap>({
      kubeConfig: kc,
      cluster,
      path: cms,
      labelSelector: 'app=rt-parent',
      logger: testLogger(),
    });
    const children = new KubeInformer<ConfigMap>({
      kubeConfig: kc,
      cluster,
      path: cms,
      labelSelector: 'app=rt-child',
      logger: testLogger(),
    });
    stops.push(
      () => parents.stop(),
      () => children.stop(),
    );

    const attempts = new Map<string, number[]>();
    const handle = startController({
      name: 'stamp',
      cluster,
      logger: testLogger(),
      concurrency: 2,
      rateLimit: { baseDelayMs: 100 },
      informers: [
        { informer: parents },
        { informer: children, keys: (child: ConfigMap) => [`${ns}/${child.data?.parent ?? ''}`] },
      ],
      // Stamps each parent with the number of its children: idempotent, writes only on a difference.
      reconcile: async (key) => {
        attempts.set(key, [...(attempts.get(key) ?? []), performance.now()]);
        const { name } = splitKey(key);
        const parent = parents.get(name, ns);
        if (!parent) return;
        if (name === 'flaky' && (attempts.get(key)?.length ?? 0) <= 3)
          throw new Error('flaky is not ready yet');
        const count = String(children.list(ns).filter((c) => c.data?.parent === name).length);
        if (parent.data?.children === count) return;
        await kubeRequest(kc, {
          method: 'PATCH',
          path: `${cms}/${name}`,
          contentType: 'application/merge-patch+json',
          body: { data: { children: count } },
        });
      },
    });
    stops.push(() => handle.stop());
    await handle.ready;

    // Objects that existed before the start (what a new leader finds) are all reconciled.
    for (const name of ['p1', 'p2', 'flaky']) {
      await eventually(`${name} stamped`, () => parents.get(name, ns)?.data?.children === '0', 15_000);
    }
    // A failing reconcile came back three times, each wait longer than the one before (100, 200, 400 ms).
    const flaky = attempts.get(`${ns}/flaky`) ?? [];
    const gaps = flaky.slice(1, 4).map((t, i) => t - (flaky[i] ?? 0));
    expect(gaps).toHaveLength(3);
    for (const [i, gap] of gaps.entries()) expect(gap).toBeGreaterThanOrEqual(100 * 2 ** i - 5);

    // New objects, and changes of another kind mapped onto these keys.
    await createConfigMap('p3', { app: 'rt-parent' });
    await createConfigMap('c1', { app: 'rt-child' }, { parent: 'p1' });
    await createConfigMap('c2', { app: 'rt-child' }, { parent: 'p1' });
    await eventually('p3 stamped', () => parents.get('p3', ns)?.data?.children === '0', 15_000);
    await eventually('p1 counts 2 children', () => parents.get('p1', ns)?.data?.children === '2', 15_000);
    expect((await read('p1')).data?.children).toBe('2');
    console.log(`flaky retried after ${gaps.map((g) => Math.round(g)).join(', ')} ms`);
  });
});
