// Who may do what to which platform object, through the real API over a real management cluster: every verb
// as one user per built-in role template (testing/authz-world.ts) on every object, against a table of
// expectations.
import { describe, expect, it } from 'vitest';
import {
  authzWorld,
  body,
  list,
  n,
  names,
  path,
  status,
  targetKeys,
  targets,
  users,
  type Target,
  type UserKey,
} from '../testing/authz-world.js';

const { clients, cached, create, remove } = authzWorld();

/**
 * What each user may do to each target: g get, l list (the object is in the list), c create (a sibling),
 * u update, d delete. Anything not written here is denied. A `*` API group in a template means the
 * clusters' Kubernetes groups, not shipyard.dev: cluster-admin may update its Cluster but not delete it.
 */
const all = Object.fromEntries(targetKeys.map((t) => [t, 'glcud']));
const tenantReader = { tenantA: 'gl', partitionA: 'gl', groupA: 'gl' };
const may: Record<UserKey, Partial<Record<Target, string>>> = {
  padmin: all,
  cadmin: { clusterA: 'glu', partitionA: 'glcud' },
  cviewer: { clusterA: 'gl', partitionA: 'gl' },
  tadmin: { tenantA: 'gl', partitionA: 'glcud', groupA: 'glcud', bindingA: 'glcud' },
  tmember: tenantReader,
  powner: { partitionA: 'glu' },
  peditor: { partitionA: 'gl' },
  pviewer: { partitionA: 'gl' },
  none: {},
  groupie: tenantReader,
};

type Verb = 'get' | 'list' | 'create' | 'update' | 'delete';
const verbLetter: Record<Verb, string> = { get: 'g', list: 'l', create: 'c', update: 'u', delete: 'd' };
const allowedAnswer: Record<Verb, number | string> = {
  get: 200,
  list: 'listed',
  create: 201,
  update: 200,
  delete: 200,
};
const deniedAnswer: Record<Verb, number | string> = {
  get: 403,
  list: 'hidden',
  create: 403,
  update: 403,
  delete: 403,
};

/** Does `verb` to the target as `u`; the answer's status ('listed'/'hidden' for list, which never 403s). */
const act: Record<Verb, (u: UserKey, t: Target) => Promise<number | string>> = {
  get: async (u, t) => status(await clients[u].get(path(targets[t]))),
  list: async (u, t) => {
    const f = targets[t];
    const r = await list(clients[u], f.plural, `filter=metadata.name=${f.name}`);
    expect(r.body.total).toBe(r.body.items.length);
    return names(r).includes(f.name) ? 'listed' : 'hidden';
  },
  create: async (u, t) => {
    const f = targets[t];
    const sibling = { ...f, name: n(`new-${t.toLowerCase()}-${u}`) };
    const r = await clients[u].post(`/api/v1/${f.plural}`, body(sibling));
    if (r.status === 201) await remove(sibling);
    return status(r);
  },
  update: async (u, t) =>
    status(await clients[u].patch(path(targets[t]), { metadata: { labels: { 'touched-by': u } } })),
  delete: async (u, t) => {
    const f = targets[t];
    const r = await clients[u].del(path(f));
    if (r.status === 200) {
      // Put it back as it was, for the users that follow.
      await cached(f, false);
      await create(f);
    }
    return status(r);
  },
};

describe.each(Object.keys(verbLetter) as Verb[])('%s', (verb) => {
  it.each(users)('as %s', async (u) => {
    const expected: Record<string, number | string> = {};
    const actual: Record<string, number | string> = {};
    for (const t of targetKeys) {
      const allowed = may[u][t]?.includes(verbLetter[verb]) ?? false;
      expected[t] = (allowed ? allowedAnswer : deniedAnswer)[verb];
      // Once authorized, deleting a tenant that has partitions is refused (409) unless cascade is asked for.
      if (allowed && verb === 'delete' && targets[t].plural === 'tenants') expected[t] = 409;
      actual[t] = await act[verb](u, t);
    }
    expect(actual).toEqual(expected);
  });
});
