// Lists of platform objects through the real API, as one user per built-in role template
// (testing/authz-world.ts): each sees exactly what it may, with filter, sort, paging and total counted after.
import { describe, expect, it } from 'vitest';
import {
  authzWorld,
  clusterA,
  clusterB,
  list,
  n,
  names,
  pa1,
  pa2,
  pb1,
  pb2,
  run,
  targets,
  teamNames,
  tenantA,
  tenantB,
  users,
  type UserKey,
} from '../testing/authz-world.js';

const { clients, made } = authzWorld();

/** Every fixture whose name has the run in it, and who sees it in a list (beyond padmin, who sees all). */
const bindingsOn = (...keys: string[]) => keys.map((k) => n(`b-${k}`));
const partitionBindings = bindingsOn('powner', 'peditor', 'pviewer');
/** A team's group and binding share its name: `groups/<name>` is the group alone. */
const teamGroups = teamNames(tenantA).map((name) => `groups/${name}`);
const visible: Record<Exclude<UserKey, 'padmin'>, string[]> = {
  // cluster A's own scope, and the partitions on cluster A (of either tenant) with their bindings
  cadmin: [clusterA, pa1, pb2, ...bindingsOn('cadmin', 'cviewer'), ...partitionBindings],
  cviewer: [clusterA, pa1, pb2],
  // the teams of tenant A: its groups, and to its admin their bindings (named as the groups)
  tadmin: [
    tenantA,
    pa1,
    pa2,
    targets.groupA.name,
    targets.bindingA.name,
    ...bindingsOn('tadmin', 'tmember', 'group'),
    ...partitionBindings,
    ...teamNames(tenantA),
  ],
  tmember: [tenantA, pa1, pa2, targets.groupA.name, ...teamGroups],
  powner: [pa1, ...partitionBindings],
  peditor: [pa1],
  pviewer: [pa1],
  none: [],
  groupie: [tenantA, pa1, pa2, targets.groupA.name, ...teamGroups],
};

describe('lists', () => {
  const query = `filter=metadata.name~${run}`;
  const plurals = ['tenants', 'clusters', 'partitions', 'groups', 'roletemplatebindings'];

  it.each(users)('show %s exactly what it may see, with total counted after filtering', async (u) => {
    const sees = u === 'padmin' ? undefined : new Set<string>(visible[u]);
    for (const plural of plurals) {
      const expected = made
        .filter(
          (f) => f.plural === plural && (sees ? sees.has(f.name) || sees.has(`${plural}/${f.name}`) : true),
        )
        .map((f) => f.name)
        .sort();
      const r = await list(clients[u], plural, query);
      expect({ plural, names: names(r), total: r.body.total }).toEqual({
        plural,
        names: expected,
        total: expected.length,
      });
    }
  });

  it('apply filter, sort and pagination to what the caller may see', async () => {
    const page = async (u: UserKey, q: string) => {
      const r = await list(clients[u], 'partitions', q);
      return { names: names(r), total: r.body.total };
    };
    const mine = `filter=metadata.name~${run}&sort=-metadata.name`;
    expect(await page('padmin', `${mine}&pageSize=3&page=1`)).toEqual({ names: [pb2, pb1, pa2], total: 4 });
    expect(await page('padmin', `${mine}&pageSize=3&page=2`)).toEqual({ names: [pa1], total: 4 });
    // cluster-admin of A sees the partitions on cluster A, of both tenants
    expect(await page('cadmin', `${mine}&pageSize=1&page=1`)).toEqual({ names: [pb2], total: 2 });
    expect(await page('cadmin', `${mine}&pageSize=1&page=2`)).toEqual({ names: [pa1], total: 2 });
    expect(await page('cadmin', `${mine}&pageSize=1&page=3`)).toEqual({ names: [], total: 2 });
    expect(await page('cadmin', `filter=spec.tenant=${tenantA}`)).toEqual({ names: [pa1], total: 1 });
    expect(await page('padmin', `filter=spec.tenant=${tenantA}`)).toEqual({ names: [pa1, pa2], total: 2 });
    expect(await page('tadmin', `filter=spec.tenant=${tenantA}`)).toEqual({ names: [pa1, pa2], total: 2 });
    expect(await page('tadmin', `filter=spec.tenant=${tenantB}`)).toEqual({ names: [], total: 0 });
    expect(await page('tadmin', `filter=spec.tenant=${tenantA},spec.cluster=${clusterB}`)).toEqual({
      names: [pa2],
      total: 1,
    });
    expect(await page('groupie', mine)).toEqual({ names: [pa2, pa1], total: 2 });
    expect(await page('pviewer', `${mine}&pageSize=1`)).toEqual({ names: [pa1], total: 1 });
    expect(await page('none', mine)).toEqual({ names: [], total: 0 });
  });
});
