// One resource store against the run's local cluster: events pruned from memory while the apiserver keeps them,
// the watch going on from the pruned store, a pause resumed from the store (no re-list), and a new connection
// listing afresh.
import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { kubeRequest } from '../runtime/kube-request.js';
import { createNamespace, deleteNamespace, eventually, loadKubeConfig } from '../runtime/testing/cluster.js';
import { clusterResources } from './cluster-resources.js';
import { ResourceStore } from './resource-store.js';

const file = inject('kubeconfig');
const ns = `rs-${Date.now().toString(36)}`;
const window = { maxAgeMs: 60 * 60_000, maxCount: 5_000 };
let kc: KubeConfig;
let store: ResourceStore;
let changes = 0;

const names = () =>
  store
    .items(ns)
    .map((e) => e.metadata?.name ?? '')
    .sort();

async function createEvent(name: string, agoMs: number): Promise<void> {
  const at = new Date(Date.now() - agoMs).toISOString();
  await kubeRequest(kc, {
    method: 'POST',
    path: `/api/v1/namespaces/${ns}/events`,
    body: {
      metadata: { name, namespace: ns },
      involvedObject: { kind: 'Pod', name: 'web', namespace: ns },
      reason: 'Testing',
      message: name,
      type: 'Normal',
      firstTimestamp: at,
      lastTimestamp: at,
      count: 1,
    },
  });
}

async function until(names_: string[]): Promise<void> {
  await eventually(
    `events ${names_.join(', ')}`,
    () => names().join() === names_.join() || undefined,
    10_000,
  );
}

beforeAll(async () => {
  kc = loadKubeConfig(file);
  await createNamespace(kc, ns);
  store = new ResourceStore({
    cluster: 'shared',
    def: clusterResources.events,
    logger: pino({ level: 'warn' }),
    onChange: () => changes++,
  });
  store.run(kc);
  await store.ready(10_000);
});

afterAll(async () => {
  await store?.stop();
  await deleteNamespace(kc, ns);
});

describe('resource store', () => {
  it('holds objects without managedFields', async () => {
    await createEvent('fresh-1', 0);
    await createEvent('old-1', 2 * 3600_000);
    await createEvent('old-2', 3 * 3600_000);
    await until(['fresh-1', 'old-1', 'old-2']);
    expect(changes).toBeGreaterThan(0);
    const raw = (await kubeRequest(kc, {
      path: `/api/v1/namespaces/${ns}/events/fresh-1`,
    })) as KubernetesObject;
    expect(raw.metadata?.managedFields).toBeDefined();
    expect(store.items(ns).every((e) => e.metadata?.managedFields === undefined)).toBe(true);
  });

  it('prunes events outside the window from memory, and goes on watching', async () => {
    await store.prune(window);
    expect(names()).toEqual(['fresh-1']);
    // The apiserver still has them: only the memory lost them.
    const list = (await kubeRequest(kc, { path: `/api/v1/namespaces/${ns}/events` })) as { items: unknown[] };
    expect(list.items).toHaveLength(3);
    await createEvent('fresh-2', 0);
    await until(['fresh-1', 'fresh-2']);
    expect(store.live).toBe(true);
  });

  it('resumes a paused store from its objects, without a re-list', async () => {
    store.pause();
    expect(store.running).toBe(false);
    await createEvent('while-paused', 0);
    store.run(kc);
    await store.ready(10_000);
    // A re-list would have brought back the pruned old events; the watch from the kept resourceVersion did not.
    await until(['fresh-1', 'fresh-2', 'while-paused']);
  });

  it('lists afresh on a new connection', async () => {
    store.run(loadKubeConfig(file));
    await store.ready(10_000);
    await until(['fresh-1', 'fresh-2', 'old-1', 'old-2', 'while-paused']);
  });
});
