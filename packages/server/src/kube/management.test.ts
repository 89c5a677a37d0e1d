// The object toolkit against a fake apiserver that checks resourceVersions: typed reads, updateStatus and
// update retrying on 409 with `mutate` run again on what is there now, the finalizer and condition helpers.
import type { Partition } from '@shipyard/api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiError } from '../http/errors.js';
import { FakeApiServer, sendJson, status } from '../runtime/testing/fake-apiserver.js';
import { PlatformObjects } from './management.js';

const base = '/apis/shipyard.dev/v1alpha1/partitions/';

/** Partitions by name; a PUT whose resourceVersion is not the stored one is refused 409. */
class Store {
  objects = new Map<string, Partition>();
  rv = 1;
  /** Called before each write is judged: a concurrent writer gets in here. */
  beforeWrite: (name: string) => void = () => undefined;

  put(p: Partition): Partition {
    const stored = { ...p, metadata: { ...p.metadata, resourceVersion: String(++this.rv) } };
    this.objects.set(p.metadata.name, stored);
    return stored;
  }
}

function partition(name: string, extra: Partial<Partition> = {}): Partition {
  return {
    apiVersion: 'shipyard.dev/v1alpha1',
    kind: 'Partition',
    metadata: { name, generation: 1 },
    spec: { tenant: 't1', cluster: 'c1' } as Partition['spec'],
    ...extra,
  };
}

let fake: FakeApiServer;
let store: Store;
let objects: PlatformObjects;

const puts = () => fake.requests.filter((r) => r.method === 'PUT');
const gets = () => fake.requests.filter((r) => r.method === 'GET');

beforeEach(async () => {
  fake = new FakeApiServer();
  store = new Store();
  fake.handler = (req, res) => {
    const [name, sub] = req.path.slice(base.length).split('/');
    const stored = store.objects.get(name ?? '');
    if (!stored) return sendJson(res, 404, status(404, 'NotFound', `partitions "${name}" not found`));
    if (req.method === 'GET') return sendJson(res, 200, stored);
    if (req.method !== 'PUT') return sendJson(res, 405, status(405, 'MethodNotAllowed', req.method));
    store.beforeWrite(name ?? '');
    const now = store.objects.get(name ?? '') ?? stored;
    const body = JSON.parse(req.body) as Partition;
    if (body.metadata.resourceVersion !== now.metadata.resourceVersion)
      return sendJson(res, 409, status(409, 'Conflict', 'the object has been modified'));
    // The status subresource takes only status; the main resource everything but status.
    const next = sub === 'status' ? { ...now, status: body.status } : { ...body, status: now.status };
    sendJson(res, 200, store.put(next));
  };
  await fake.start();
  objects = new PlatformObjects({ kc: fake.kubeConfig(), namespace: 'ns', cluster: 'management' });
});
afterEach(() => fake.close());

describe('typed reads', () => {
  it('get answers the kind typed, find answers undefined for a missing object', async () => {
    store.put(partition('p1'));
    const p = await objects.get('Partition', 'p1');
    expect(p.spec.cluster).toBe('c1');
    expect(await objects.find('Partition', 'nope')).toBeUndefined();
    await expect(objects.get('Partition', 'nope')).rejects.toMatchObject({ status: 404 });
  });
});

describe('updateStatus', () => {
  it('retries a 409 with mutate run again on the latest status: both writers count', async () => {
    store.put(partition('p1', { status: { namespace: 'a' } }));
    let raced = false;
    store.beforeWrite = () => {
      if (raced) return;
      raced = true; // another writer changes the status between our read and our write
      const now = store.objects.get('p1');
      if (now) store.put({ ...now, status: { ...now.status, used: { pods: '1' } } });
    };
    const seen: unknown[] = [];
    const written = await objects.updateStatus('Partition', 'p1', (s) => {
      seen.push(s);
      return { ...s, hard: { pods: '5' } };
    });
    expect(seen).toHaveLength(2);
    expect(written?.status).toEqual({ namespace: 'a', used: { pods: '1' }, hard: { pods: '5' } });
    expect(store.objects.get('p1')?.status).toEqual(written?.status);
    expect(puts()).toHaveLength(2);
  });

  it('writes nothing when mutate answers undefined or the same status, and nothing is read with `from`', async () => {
    const p = store.put(partition('p1', { status: { namespace: 'a' } }));
    expect(await objects.updateStatus('Partition', 'p1', () => undefined, { from: p })).toBe(p);
    await objects.updateStatus('Partition', 'p1', (s) => ({ ...s, namespace: 'a' }), { from: p });
    expect(fake.requests).toHaveLength(0);
  });

  it('starts from a stale cached object: the 409 reads the latest', async () => {
    const stale = store.put(partition('p1'));
    store.put({ ...stale, status: { namespace: 'b' } });
    const written = await objects.updateStatus('Partition', 'p1', (s) => ({ ...s, hard: {} }), {
      from: stale,
    });
    expect(written?.status).toEqual({ namespace: 'b', hard: {} });
    expect(gets()).toHaveLength(1);
  });

  it('a missing object is nothing to write; attempts used up throw the 409', async () => {
    expect(await objects.updateStatus('Partition', 'gone', (s) => s)).toBeUndefined();
    store.put(partition('busy'));
    store.beforeWrite = (name) => {
      const now = store.objects.get(name);
      if (now) store.put(now); // someone always writes first
    };
    const err = await objects
      .updateStatus('Partition', 'busy', (s) => ({ ...s, namespace: 'x' }), { attempts: 3, baseMs: 1 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 409 });
    expect(puts()).toHaveLength(3);
  });

  it('what mutate throws (a 409 of its own too) is thrown as it is, not retried', async () => {
    store.put(partition('p1'));
    let calls = 0;
    const refusal = new ApiError(409, 'Conflict', 'namespace web is held by p2');
    const err = await objects
      .updateStatus('Partition', 'p1', () => {
        calls++;
        throw refusal;
      })
      .catch((e: unknown) => e);
    expect([err, calls, puts().length]).toEqual([refusal, 1, 0]);
  });
});

describe('update, finalizers and conditions', () => {
  it('update writes spec and metadata with the resourceVersion read, again on 409', async () => {
    store.put(partition('p1'));
    let raced = false;
    store.beforeWrite = () => {
      if (raced) return;
      raced = true;
      const now = store.objects.get('p1');
      if (now) store.put({ ...now, metadata: { ...now.metadata, labels: { a: '1' } } });
    };
    const written = await objects.update('Partition', 'p1', (p) => ({
      ...p,
      metadata: { ...p.metadata, annotations: { b: '2' } },
    }));
    expect(written?.metadata).toMatchObject({ labels: { a: '1' }, annotations: { b: '2' } });
  });

  it('setFinalizer adds and removes one finalizer, keeps the others, adds none to an object being deleted', async () => {
    store.put(partition('p1', { metadata: { name: 'p1', finalizers: ['other'] } }));
    await objects.setFinalizer('Partition', 'p1', { finalizer: 'mine', present: true });
    expect(store.objects.get('p1')?.metadata.finalizers).toEqual(['other', 'mine']);
    await objects.setFinalizer('Partition', 'p1', { finalizer: 'mine', present: false });
    expect(store.objects.get('p1')?.metadata.finalizers).toEqual(['other']);
    const deleting = store.put(
      partition('p2', { metadata: { name: 'p2', deletionTimestamp: '2026-01-01T00:00:00Z' } }),
    );
    await objects.setFinalizer('Partition', 'p2', { finalizer: 'mine', present: true });
    expect(store.objects.get('p2')).toEqual(deleting);
    await objects.setFinalizer('Partition', 'gone', { finalizer: 'mine', present: false });
  });

  it('setCondition changes one condition and keeps the others', async () => {
    const other = {
      type: 'Other',
      status: 'True' as const,
      reason: 'Fine',
      message: '',
      lastTransitionTime: '2026-01-01T00:00:00Z',
    };
    const p = store.put(partition('p1', { status: { conditions: [other] } }));
    await objects.setCondition('Partition', 'p1', { type: 'Ready', status: 'False', reason: 'Why' });
    expect(store.objects.get('p1')?.status?.conditions).toMatchObject([
      other,
      { type: 'Ready', reason: 'Why' },
    ]);
    const before = fake.requests.length;
    await objects.setCondition(
      'Partition',
      'p1',
      { type: 'Other', status: 'True', reason: 'Fine' },
      { from: p },
    );
    expect(fake.requests.length).toBe(before);
  });
});
