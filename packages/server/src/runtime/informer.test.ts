// The informer against a scripted apiserver: failure modes that a real cluster cannot be made to show on demand.
import type { KubernetesObject } from '@kubernetes/client-node';
import { register } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KubeInformer } from './informer.js';
import type { InformerOptions } from './informer.types.js';
import {
  configMap,
  configMapList,
  FakeApiServer,
  sendJson,
  status,
  testLogger,
  waitFor,
  watchStream,
} from './testing/fake-apiserver.js';

let api: FakeApiServer;
const informers: KubeInformer[] = [];
const path = '/api/v1/namespaces/ns/configmaps';

function informer(opts: Partial<InformerOptions<KubernetesObject>> = {}): KubeInformer {
  const inf = new KubeInformer({
    kubeConfig: api.kubeConfig(),
    cluster: 'fake',
    path,
    logger: testLogger(),
    backoff: { baseMs: 50, maxMs: 400, jitter: 0.25 },
    ...opts,
  });
  informers.push(inf);
  return inf;
}

async function metric(name: string, labels: Record<string, string>): Promise<number> {
  const m = (await register.getMetricsAsJSON()).find((x) => x.name === name);
  const v = m?.values.find((x) => Object.entries(labels).every(([k, val]) => x.labels[k] === val));
  return v?.value ?? 0;
}

beforeEach(async () => {
  api = new FakeApiServer();
  await api.start();
});
afterEach(async () => {
  for (const inf of informers.splice(0)) await inf.stop();
  await api.close();
});

describe('informer', () => {
  it('lists, watches with bookmarks and selectors, and reports synced', async () => {
    api.handler = (req, res) => {
      if (!req.watch) return sendJson(res, 200, configMapList('10', [configMap('a', '5')]));
      watchStream(res).send('ADDED', configMap('b', '11'));
    };
    const inf = informer({ labelSelector: 'app=x', fieldSelector: 'metadata.name!=z' });
    const added: string[] = [];
    inf.on('add', (o) => added.push(o.metadata?.name ?? ''));
    expect(inf.state).toBe('syncing');
    inf.start();
    await inf.synced();
    expect(inf.hasSynced).toBe(true);
    expect(inf.state).toBe('ready');
    await waitFor('watch event', () => added.length === 2);
    expect(inf.list().map((o) => o.metadata?.name)).toEqual(['a', 'b']);
    expect(inf.get('a', 'ns')?.kind).toBe('ConfigMap'); // filled in from the list's kind
    const [list] = api.lists();
    const [watch] = api.watches();
    expect(list?.query.get('labelSelector')).toBe('app=x');
    expect(list?.query.get('limit')).toBe('500');
    expect(watch?.query.get('labelSelector')).toBe('app=x');
    expect(watch?.query.get('fieldSelector')).toBe('metadata.name!=z');
    expect(watch?.query.get('resourceVersion')).toBe('10');
    expect(watch?.query.get('allowWatchBookmarks')).toBe('true');
    expect(Number(watch?.query.get('timeoutSeconds'))).toBeGreaterThanOrEqual(300);
  });

  it('backs off with growing, jittered delays while the apiserver fails, then recovers', async () => {
    let failing = true;
    api.handler = (req, res) => {
      if (failing) return sendJson(res, 500, status(500, 'InternalError', 'etcd is down'));
      if (!req.watch) return sendJson(res, 200, configMapList('10', []));
      watchStream(res);
    };
    const inf = informer();
    inf.start();
    await waitFor('5 attempts', () => api.lists().length >= 5);
    expect(inf.state).toBe('retrying');
    expect(inf.lastError?.status).toBe(500);
    expect(inf.lastError?.message).toBe('etcd is down');
    const at = api.lists().map((r) => r.at);
    const gaps = at.slice(1).map((t, i) => t - (at[i] ?? 0));
    // 50, 100, 200, 400 ms ± 25 %: each gap longer than the last, none near zero.
    expect(gaps[0]).toBeGreaterThan(30);
    for (let i = 1; i < 3; i++) expect(gaps[i]).toBeGreaterThan(gaps[i - 1] ?? 0);
    failing = false;
    await inf.synced();
    expect(inf.state).toBe('ready');
  });

  it('stops with a failed state and no retry on 403', async () => {
    api.handler = (_req, res) =>
      sendJson(res, 403, status(403, 'Forbidden', 'configmaps is forbidden: User "nobody" cannot list'));
    const inf = informer();
    inf.start();
    await expect(inf.synced()).rejects.toMatchObject({ status: 403, reason: 'Forbidden' });
    expect(inf.state).toBe('failed');
    expect(inf.lastError?.message).toContain('cannot list');
    await new Promise((r) => setTimeout(r, 300));
    expect(api.requests.length).toBe(1);
  });

  it('fails on a 404 from the watch too (e.g. the CRD was removed)', async () => {
    api.handler = (req, res) => {
      if (!req.watch) return sendJson(res, 200, configMapList('10', []));
      sendJson(res, 404, status(404, 'NotFound', 'the server could not find the requested resource'));
    };
    const inf = informer();
    inf.start();
    await waitFor('failed', () => inf.state === 'failed');
    expect(inf.lastError?.status).toBe(404);
    await new Promise((r) => setTimeout(r, 200));
    expect(api.watches().length).toBe(1);
  });

  it('throttles a watch that the server closes at once (no tight reconnect loop)', async () => {
    api.handler = (req, res) => {
      if (!req.watch) return sendJson(res, 200, configMapList('10', []));
      watchStream(res).end();
    };
    const inf = informer();
    inf.start();
    await new Promise((r) => setTimeout(r, 1_000));
    // Unthrottled this is hundreds; with 50 → 400 ms backoff at most about 6.
    expect(api.watches().length).toBeLessThanOrEqual(8);
    expect(api.watches().length).toBeGreaterThanOrEqual(3);
    expect(inf.lastError?.reason).toBe('WatchClosed');
  });

  it('re-lists after a 410 in the stream and emits delete for what vanished meanwhile', async () => {
    let listed = 0;
    api.handler = (req, res) => {
      if (!req.watch) {
        listed++;
        const items = listed === 1 ? [configMap('a', '1'), configMap('b', '2')] : [configMap('a', '3')];
        return sendJson(res, 200, configMapList(listed === 1 ? '10' : '20', items));
      }
      const w = watchStream(res);
      if (req.query.get('resourceVersion') === '10') {
        w.send('ERROR', status(410, 'Expired', 'too old resource version: 10 (15)'));
        w.end();
      }
    };
    const inf = informer();
    const events: string[] = [];
    inf.on('change', (o, type, old) =>
      events.push(`${type} ${o.metadata?.name} ${old?.metadata?.resourceVersion}`),
    );
    inf.start();
    await waitFor('re-list and watch', () => api.watches().length === 2 && events.length === 4);
    expect(events).toEqual(['add a undefined', 'add b undefined', 'delete b undefined', 'update a 1']);
    expect(api.watches().at(-1)?.query.get('resourceVersion')).toBe('20');
    expect(await metric('shipyard_informer_relists_total', { cluster: 'fake', reason: 'expired' })).toBe(1);
  });

  it('resumes from a snapshot and re-lists when its resourceVersion has expired', async () => {
    api.handler = (req, res) => {
      if (!req.watch) return sendJson(res, 200, configMapList('50', [configMap('fresh', '49')]));
      const w = watchStream(res);
      if (req.query.get('resourceVersion') === '1') {
        w.send('ERROR', status(410, 'Expired', 'too old resource version: 1 (40)'));
        w.end();
      }
    };
    const inf = informer({ resumeFrom: { resourceVersion: '1', items: [configMap('stale', '1')] } });
    const deleted: string[] = [];
    inf.on('delete', (o) => deleted.push(o.metadata?.name ?? ''));
    inf.start();
    await waitFor('re-list', () => api.lists().length === 1 && deleted.length === 1);
    expect(api.watches()[0]?.query.get('resourceVersion')).toBe('1');
    expect(deleted).toEqual(['stale']);
    await waitFor('ready', () => inf.state === 'ready' && inf.list().length === 1);
    expect(inf.snapshot()).toMatchObject({ resourceVersion: '50', items: [{ metadata: { name: 'fresh' } }] });
  });

  it('re-lists when the watch goes silent (no events, no bookmarks): a dead connection is not trusted', async () => {
    api.handler = (req, res) => {
      if (!req.watch) return sendJson(res, 200, configMapList('10', []));
      watchStream(res); // open, and never a byte more
    };
    const inf = informer({ silenceMs: 300 });
    inf.start();
    await inf.synced();
    await waitFor('watchdog re-list', () => api.lists().length >= 3, 3_000);
    expect(
      await metric('shipyard_informer_relists_total', { cluster: 'fake', reason: 'silence' }),
    ).toBeGreaterThan(0);
  });

  it('takes bookmarks as a sign of life', async () => {
    const timers: NodeJS.Timeout[] = [];
    api.handler = (req, res) => {
      if (!req.watch) return sendJson(res, 200, configMapList('10', []));
      const w = watchStream(res);
      let rv = 10;
      timers.push(
        setInterval(
          () => w.send('BOOKMARK', { kind: 'ConfigMap', metadata: { resourceVersion: String(++rv) } }),
          50,
        ),
      );
    };
    const inf = informer({ silenceMs: 300 });
    inf.start();
    await inf.synced();
    await new Promise((r) => setTimeout(r, 1_000));
    for (const t of timers) clearInterval(t);
    expect(api.lists().length).toBe(1);
    expect(inf.snapshot().resourceVersion).not.toBe('10');
  });

  it('stop() ends the watch, rejects synced() waiters and makes no further requests', async () => {
    api.handler = (req, res) => {
      if (!req.watch) return setTimeout(() => sendJson(res, 200, configMapList('10', [])), 200);
      watchStream(res);
    };
    const inf = informer();
    inf.start();
    const synced = inf.synced();
    await inf.stop();
    await expect(synced).rejects.toMatchObject({ reason: 'Stopped' });
    expect(inf.state).toBe('stopped');
    await new Promise((r) => setTimeout(r, 400));
    expect(api.watches().length).toBe(0);
  });
});
