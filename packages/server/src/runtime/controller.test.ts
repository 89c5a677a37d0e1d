import type { KubernetesObject } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { startController, type ControllerHandle, type ControllerOptions } from './controller.js';
import { testLogger, waitFor } from './testing/fake-apiserver.js';
import { FakeInformer } from './testing/fake-informer.js';

type Partition = KubernetesObject & { spec: { tenant: string } };

const obj = (name: string, namespace?: string): KubernetesObject => ({ metadata: { name, namespace } });
const partition = (name: string, tenant: string): Partition => ({ metadata: { name }, spec: { tenant } });

const handles: ControllerHandle[] = [];
function controller(opts: Omit<ControllerOptions, 'name' | 'cluster' | 'logger'>): ControllerHandle {
  const h = startController({ name: 'test', cluster: 'fake', logger: testLogger(), ...opts });
  handles.push(h);
  return h;
}

/** A tenant informer holding t1, synced, and a controller of it alone. */
function controllerOfT1(opts: Omit<ControllerOptions, 'name' | 'cluster' | 'logger' | 'informers'>) {
  const tenants = new FakeInformer('/apis/shipyard.dev/v1alpha1/tenants');
  tenants.put(obj('t1'));
  tenants.markSynced();
  return { tenants, h: controller({ informers: [{ informer: tenants }], ...opts }) };
}

afterEach(async () => {
  for (const h of handles.splice(0)) await h.stop();
});

describe('startController', () => {
  it('waits for every informer to sync, then reconciles every object once', async () => {
    const tenants = new FakeInformer('/apis/shipyard.dev/v1alpha1/tenants');
    const cms = new FakeInformer('/api/v1/configmaps');
    tenants.put(obj('t1'));
    tenants.put(obj('t2'));
    cms.put(obj('c1', 'ns'));
    const seen: string[] = [];
    const h = controller({
      informers: [{ informer: tenants }, { informer: cms }],
      reconcile: async (key) => void seen.push(key),
    });
    expect(tenants.started && cms.started).toBe(true);
    tenants.markSynced();
    await new Promise((r) => setTimeout(r, 30));
    expect(seen).toEqual([]); // cms not synced yet: no reconcile on a partial picture
    cms.markSynced();
    await h.ready;
    await waitFor('3 reconciles', () => seen.length === 3);
    expect(seen.sort()).toEqual(['ns/c1', 't1', 't2']);
  });

  it('enqueues on changes, and maps another kind’s events to its own keys', async () => {
    const tenants = new FakeInformer('/apis/shipyard.dev/v1alpha1/tenants');
    const partitions = new FakeInformer<Partition>('/apis/shipyard.dev/v1alpha1/partitions');
    tenants.markSynced();
    partitions.markSynced();
    const seen: string[] = [];
    const h = controller({
      informers: [{ informer: tenants }, { informer: partitions, keys: (p: Partition) => [p.spec.tenant] }],
      reconcile: async (key) => void seen.push(key),
    });
    await h.ready;
    tenants.put(obj('t1'));
    await waitFor('t1', () => seen.includes('t1'));
    partitions.put(partition('p1', 'team-a'));
    await waitFor('team-a', () => seen.includes('team-a'));
    tenants.remove(obj('t1'));
    await waitFor('t1 again (deleted)', () => seen.filter((k) => k === 't1').length === 2);
    expect(seen).not.toContain('p1');
  });

  it('retries a failing reconcile with growing delays, then stops retrying once it succeeds', async () => {
    const at: number[] = [];
    controllerOfT1({
      rateLimit: { baseDelayMs: 20 },
      reconcile: async () => {
        at.push(performance.now());
        if (at.length <= 4) throw new Error('not yet');
      },
    });
    await waitFor('5 attempts', () => at.length === 5, 3_000);
    const gaps = at.slice(1).map((t, i) => t - (at[i] ?? 0));
    for (const [i, gap] of gaps.entries()) expect(gap).toBeGreaterThanOrEqual(20 * 2 ** i - 2);
    await new Promise((r) => setTimeout(r, 400));
    expect(at).toHaveLength(5);
  });

  it('honours requeueAfter', async () => {
    const at: number[] = [];
    controllerOfT1({
      reconcile: async () => {
        at.push(performance.now());
        return at.length < 3 ? { requeueAfter: 50 } : undefined;
      },
    });
    await waitFor('3 reconciles', () => at.length === 3);
    expect((at[1] ?? 0) - (at[0] ?? 0)).toBeGreaterThanOrEqual(48);
  });

  it('resyncs periodically when asked', async () => {
    const seen: string[] = [];
    controllerOfT1({
      resyncEveryMs: 50,
      reconcile: async (k) => void seen.push(k),
    });
    await waitFor('3 resyncs', () => seen.length >= 3);
  });

  it('stop() waits for the running reconcile, unsubscribes and reconciles nothing more', async () => {
    let finish: () => void = () => undefined;
    const seen: string[] = [];
    const { tenants, h } = controllerOfT1({
      reconcile: (key) => {
        seen.push(key);
        return new Promise<void>((r) => (finish = r));
      },
    });
    await waitFor('running', () => seen.length === 1);
    expect(tenants.listenerCount()).toBe(1);
    let stopped = false;
    const stopping = h.stop().then(() => (stopped = true));
    await new Promise((r) => setTimeout(r, 30));
    expect(stopped).toBe(false);
    finish();
    await stopping;
    expect(tenants.listenerCount()).toBe(0);
    tenants.put(obj('t2'));
    await new Promise((r) => setTimeout(r, 30));
    expect(seen).toEqual(['t1']);
  });
});

describe('finalize step', () => {
  it('puts the finalizer on before reconciling; for a deleted object runs finalize until done, then takes it off', async () => {
    const items = new FakeInformer('/apis/shipyard.dev/v1alpha1/partitions');
    items.put({ metadata: { name: 'live' } });
    items.put({ metadata: { name: 'dying', finalizers: ['f', 'other'], deletionTimestamp: new Date() } });
    items.put({ metadata: { name: 'let-go', deletionTimestamp: new Date() } });
    items.markSynced();
    const log: string[] = [];
    let runs = 0;
    const h = startController<KubernetesObject>({
      name: 'test',
      cluster: 'fake',
      logger: testLogger(),
      informers: [{ informer: items }],
      reconcile: async (key) => void log.push(`reconcile ${key}`),
      finalize: {
        finalizer: 'f',
        get: (key) => items.get(key),
        run: async (o) => {
          log.push(`finalize ${o.metadata?.name ?? ''}`);
          return ++runs === 1 ? { requeueAfter: 10 } : undefined; // not done the first time
        },
        write: async (o, present) => {
          log.push(`${present ? 'add' : 'remove'} ${o.metadata?.name ?? ''}`);
          const finalizers = (o.metadata?.finalizers ?? []).filter((f) => f !== 'f');
          items.put({
            ...o,
            metadata: { ...o.metadata, finalizers: present ? [...finalizers, 'f'] : finalizers },
          });
        },
      },
    });
    handles.push(h);
    await waitFor('the finalizer taken off', () => log.includes('remove dying'));
    await new Promise((r) => setTimeout(r, 30));
    expect(log.filter((l) => l.endsWith('dying'))).toEqual([
      'finalize dying',
      'finalize dying',
      'remove dying',
    ]);
    expect(items.get('dying')?.metadata?.finalizers).toEqual(['other']);
    // Added once, then the live object is reconciled (again on the event of the write); nothing else for it.
    expect(log.filter((l) => l.endsWith(' live'))[0]).toBe('add live');
    expect(log.filter((l) => l === 'add live')).toHaveLength(1);
    expect(log).toContain('reconcile live');
    // Deleting, and not holding our finalizer: nothing to do, not even a reconcile.
    expect(log.filter((l) => l.endsWith('let-go'))).toEqual([]);
  });
});
