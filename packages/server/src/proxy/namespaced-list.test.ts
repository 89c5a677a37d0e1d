import { describe, expect, it } from 'vitest';
import {
  clusterWideList,
  jsonAccept,
  listAcrossNamespaces,
  mapBounded,
  mergeLists,
  namespacedPath,
  type Answer,
} from './namespaced-list.js';

const podList = (ns: string, names: string[], extra: Record<string, unknown> = {}) => ({
  kind: 'PodList',
  apiVersion: 'v1',
  metadata: { resourceVersion: String(100 + names.length), ...extra },
  items: names.map((name) => ({ metadata: { name, namespace: ns } })),
});

const columns = [
  { name: 'Name', type: 'string', format: 'name', description: 'Name', priority: 0 },
  { name: 'Ready', type: 'string', format: '', description: 'containers ready', priority: 0 },
];
const podTable = (ns: string, names: string[]) => ({
  kind: 'Table',
  apiVersion: 'meta.k8s.io/v1',
  metadata: { resourceVersion: '42' },
  columnDefinitions: columns,
  rows: names.map((name) => ({
    cells: [name, '1/1'],
    object: {
      kind: 'PartialObjectMetadata',
      apiVersion: 'meta.k8s.io/v1',
      metadata: { name, namespace: ns },
    },
  })),
});

const answer = (status: number, body: unknown): Answer => ({
  status,
  headers: { 'content-type': 'application/json' },
  body: Buffer.from(JSON.stringify(body)),
});

describe('which requests are cluster-wide lists', () => {
  it.each([
    ['/api/v1/pods', '/api/v1', 'pods'],
    ['/api/v1/pods?limit=500', '/api/v1', 'pods'],
    ['/apis/apps/v1/deployments?labelSelector=app%3Dweb', '/apis/apps/v1', 'deployments'],
    ['/api/v1/pods?watch=false', '/api/v1', 'pods'],
    ['/api/v1/pods?watch=0', '/api/v1', 'pods'],
  ])('%s is one', (path, prefix, resource) => {
    expect(clusterWideList(path)).toMatchObject({ prefix, resource });
  });

  it.each([
    '/api/v1/namespaces/web/pods',
    '/api/v1/namespaces/web/pods/front',
    '/api/v1/namespaces/web/pods/front/log',
    '/api/v1/namespaces',
    '/api/v1/namespaces/web',
    '/api/v1/pods?watch=true',
    '/api/v1/pods?watch=1',
    '/api/v1/pods?limit=1&continue=abc',
    '/apis/apps/v1',
    '/apis/apps',
    '/api',
    '/version',
  ])('%s is not', (path) => {
    expect(clusterWideList(path)).toBeUndefined();
  });

  it('lists the same in one namespace, selectors kept and limit dropped', () => {
    const list = clusterWideList(
      '/apis/apps/v1/deployments?labelSelector=app%20in%20(a%2Cb)&fieldSelector=metadata.name%3Dx&limit=500',
    );
    const path = namespacedPath(list!, 'web');
    const url = new URL(path, 'https://x');
    expect(url.pathname).toBe('/apis/apps/v1/namespaces/web/deployments');
    expect(url.searchParams.get('labelSelector')).toBe('app in (a,b)');
    expect(url.searchParams.get('fieldSelector')).toBe('metadata.name=x');
    expect(url.searchParams.has('limit')).toBe(false);
    expect(namespacedPath(clusterWideList('/api/v1/pods')!, 'b')).toBe('/api/v1/namespaces/b/pods');
  });
});

describe('the Accept sent to each namespace', () => {
  it("keeps kubectl's Table and JSON types", () => {
    const kubectl =
      'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';
    expect(jsonAccept(kubectl)).toBe(
      'application/json;as=Table;v=v1;g=meta.k8s.io, application/json;as=Table;v=v1beta1;g=meta.k8s.io, application/json',
    );
  });
  it('drops protobuf, and gives up when nothing else is accepted', () => {
    expect(jsonAccept('application/vnd.kubernetes.protobuf,application/json')).toBe('application/json');
    expect(jsonAccept('application/vnd.kubernetes.protobuf')).toBeUndefined();
    expect(jsonAccept(undefined)).toBe('application/json');
    expect(jsonAccept('*/*')).toBe('*/*');
  });
});

describe('merging lists', () => {
  it('concatenates the items of Lists, with no resourceVersion and no continue token', () => {
    const merged = mergeLists([
      podList('a', ['a1', 'a2'], { continue: 'tok', remainingItemCount: 3 }),
      podList('b', []),
      podList('c', ['c1']),
    ]);
    expect(merged).toEqual({
      kind: 'PodList',
      apiVersion: 'v1',
      metadata: { resourceVersion: '' },
      items: [
        { metadata: { name: 'a1', namespace: 'a' } },
        { metadata: { name: 'a2', namespace: 'a' } },
        { metadata: { name: 'c1', namespace: 'c' } },
      ],
    });
  });

  it('concatenates the rows of Tables, columns from the first', () => {
    const merged = mergeLists([podTable('a', ['a1']), podTable('b', ['b1', 'b2'])]);
    expect(merged.kind).toBe('Table');
    expect(merged.apiVersion).toBe('meta.k8s.io/v1');
    expect(merged.metadata).toEqual({ resourceVersion: '' });
    expect(merged.columnDefinitions).toEqual(columns);
    expect((merged.rows as { cells: string[] }[]).map((r) => r.cells[0])).toEqual(['a1', 'b1', 'b2']);
    expect(merged).not.toHaveProperty('items');
  });

  it('refuses answers of different shapes', () => {
    expect(() => mergeLists([podTable('a', ['a1']), podList('b', ['b1'])])).toThrow(/different shapes/);
    expect(() => mergeLists([podList('b', ['b1']), { kind: 'Status', code: 500 }])).toThrow();
    expect(() => mergeLists([])).toThrow();
  });
});

describe('listing across namespaces', () => {
  const list = clusterWideList('/api/v1/pods?limit=500')!;

  it('merges the namespaces that answer and skips those that refuse (403) or lack the resource (404)', async () => {
    const asked: string[] = [];
    const bodies: Record<string, Answer> = {
      '/api/v1/namespaces/a/pods': answer(200, podTable('a', ['a1'])),
      '/api/v1/namespaces/b/pods': answer(403, { kind: 'Status', code: 403 }),
      '/api/v1/namespaces/c/pods': answer(200, podTable('c', ['c1', 'c2'])),
      '/api/v1/namespaces/d/pods': answer(404, { kind: 'Status', code: 404 }),
    };
    const result = await listAcrossNamespaces({
      list,
      namespaces: ['a', 'b', 'c', 'd'],
      get: async (path) => {
        asked.push(path);
        return bodies[path]!;
      },
    });
    expect(asked.sort()).toEqual(Object.keys(bodies));
    expect(result.outcome).toBe('merged');
    if (result.outcome !== 'merged') return;
    expect(result.namespaces).toEqual(['a', 'c']);
    expect((result.body.rows as { cells: string[] }[]).map((r) => r.cells[0])).toEqual(['a1', 'c1', 'c2']);
  });

  it('says none when no namespace answers, and passes on any other failure', async () => {
    const refused = await listAcrossNamespaces({
      list,
      namespaces: ['a', 'b'],
      get: async () => answer(403, { kind: 'Status', code: 403 }),
    });
    expect(refused).toEqual({ outcome: 'none' });
    const failed = await listAcrossNamespaces({
      list,
      namespaces: ['a', 'b'],
      get: async (path) =>
        path.includes('/a/') ? answer(200, podList('a', [])) : answer(500, { kind: 'Status', code: 500 }),
    });
    expect(failed.outcome).toBe('failed');
    if (failed.outcome === 'failed') expect(failed.answer.status).toBe(500);
    await expect(
      listAcrossNamespaces({
        list,
        namespaces: ['a'],
        get: async () => ({ status: 200, headers: {}, body: Buffer.from('not json') }),
      }),
    ).rejects.toMatchObject({ status: 503 });
  });

  it('asks at most `parallelism` namespaces at once, and keeps their order', async () => {
    let running = 0;
    let peak = 0;
    const out = await mapBounded(
      Array.from({ length: 20 }, (_, i) => i),
      3,
      async (i) => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, (i * 7) % 5));
        running--;
        return i * 2;
      },
    );
    expect(peak).toBe(3);
    expect(out).toEqual(Array.from({ length: 20 }, (_, i) => i * 2));
  });
});
