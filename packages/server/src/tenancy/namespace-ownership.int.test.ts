// A partition owns only a namespace of its own, and that namespace enforces Pod Security: against a real user
// cluster joined directly, through the API, around it (a Partition written straight into the management
// cluster), and with kubectl through the proxy as a tenant admin.
import { kinds } from '@shipyard/api';
import { kubectl } from '@shipyard/localkube';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ApiError } from '../http/errors.js';
import { management, PlatformObjects } from '../kube/management.js';
import { eventually } from '../testing/server.js';
import {
  can,
  created,
  createAs,
  hostPods,
  podManifest,
  readyPartition,
  startTenancyFixture,
  tenantAdmin,
  type Person,
  type TenancyFixture,
} from './testing/tenancy-fixture.js';

const kubeconfig = inject('kubeconfig');
const run = Date.now().toString(36);
const cluster = `own-${run}`;
const tenant = `own-t-${run}`;
const own = `own-p-${run}`;
const legacy = `own-legacy-${run}`;
const stray = `own-stray-${run}`;
const hard = { 'requests.cpu': '4', 'limits.cpu': '4', pods: '20' };
const share = { 'requests.cpu': '1', 'limits.cpu': '1', pods: '5' };
const ownership = {
  'app.kubernetes.io/managed-by': 'shipyard',
  'shipyard.dev/tenant': tenant,
};
const enforce = 'pod-security.kubernetes.io/enforce';

type Condition = { type: string; status: string; reason?: string; message?: string };
type Obj = {
  metadata: { name: string; labels?: Record<string, string> };
  status?: { conditions?: Condition[] };
};
type Err = { code: number; reason: string; message: string; field?: string };

let f: TenancyFixture;
let tadmin: Person;
let kube: PlatformObjects;
const adopted: string[] = [];

const body = (name: string, spec: Record<string, unknown>) => ({
  metadata: { name },
  spec: { tenant, cluster, hard: { 'requests.cpu': '100m' }, ...spec },
});

/** A namespace of the user cluster as its admin sees it. */
async function namespace(name: string): Promise<Obj> {
  return JSON.parse(await kubectl(f.user, ['get', 'namespace', name, '-o', 'json'])) as Obj;
}

async function condition(path: string, type: string): Promise<Condition | undefined> {
  const r = await f.admin.get<Obj>(path);
  return r.body.status?.conditions?.find((c) => c.type === type);
}

beforeAll(async () => {
  f = await startTenancyFixture(kubeconfig, cluster);
  kube = new PlatformObjects(management({ kubeconfig, namespace: 'shipyard-system' }));
  await created(f.admin, 'tenants', {
    metadata: { name: tenant },
    spec: { clusters: [{ cluster, hard }] },
  } as {
    metadata: { name: string };
  });
  await readyPartition(f.admin, { name: own, tenant, cluster, hard: share });
  // Namespaces the cluster had before Shipyard.
  for (const ns of [legacy, stray]) await kubectl(f.user, ['create', 'namespace', ns]);
  tadmin = await tenantAdmin(f, { name: `own-admin-${run}`, tenant, works: own });
});

afterAll(async () => {
  // The partitions written around the API left reservations that the leader drops after their grace period;
  // until then the tenant refuses to go (409).
  if (f)
    await eventually(
      `tenant ${tenant} deleted`,
      async () =>
        (await f.admin.del(`/api/v1/tenants/${tenant}?cascade=true`)).status === 409 ? undefined : true,
      90_000,
    );
  if (f) await kubectl(f.user, ['delete', 'namespace', stray, '--wait=false']).catch(() => undefined);
  await f?.close();
});

describe('a partition owns only a namespace of its own', () => {
  it('is refused, through the API, a namespace of Kubernetes, of the platform or made by someone else', async () => {
    const reserved = ['kube-system', 'kube-public', 'kube-node-lease', 'default', 'shipyard-system'];
    for (const [who, client] of [
      ['tenant admin', tadmin.api],
      ['system admin', f.admin],
    ] as const) {
      for (const ns of [...reserved, legacy]) {
        const r = await client.post<Err>('/api/v1/partitions', body(`own-x-${run}`, { namespace: ns }));
        expect([r.status, r.body.field], `${who}: ${ns} ${JSON.stringify(r.body)}`).toEqual([
          422,
          'spec.namespace',
        ]);
      }
    }
    // Not even adopted.
    for (const ns of reserved) {
      const r = await f.admin.post<Err>(
        '/api/v1/partitions',
        body(`own-x-${run}`, { namespace: ns, adopt: true }),
      );
      expect([r.status, r.body.field], ns).toEqual([422, 'spec.namespace']);
    }
    const r = await tadmin.api.post<Err>(
      '/api/v1/partitions',
      body(`own-x-${run}`, { namespace: legacy, adopt: true }),
    );
    expect([r.status, r.body.message]).toEqual([
      403,
      'only a system admin may adopt a namespace (spec.adopt)',
    ]);
    // Another partition's namespace: the ledger says whose it is.
    const taken = await tadmin.api.post<Err>('/api/v1/partitions', body(`own-x-${run}`, { namespace: own }));
    expect([taken.status, taken.body.message]).toEqual([
      409,
      `namespace ${own} on cluster ${cluster} is already used by partition ${own}`,
    ]);
  });

  it('takes a namespace that exists when a system admin adopts it, and labels it as its own', async () => {
    const name = `own-adopted-${run}`;
    adopted.push(name);
    const r = await f.admin.post<Err>('/api/v1/partitions', body(name, { namespace: legacy, adopt: true }));
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    await eventually('the adopted partition Ready', async () =>
      (await condition(`/api/v1/partitions/${name}`, 'Ready'))?.status === 'True' ? true : undefined,
    );
    expect((await namespace(legacy)).metadata.labels).toMatchObject({
      ...ownership,
      'shipyard.dev/partition': name,
      [enforce]: 'baseline',
    });
    const audit = await f.admin.get<{ items: { name?: string; verb: string; outcome: number }[] }>(
      `/api/v1/audit?user=admin&kind=Partition`,
    );
    expect(audit.body.items).toContainEqual(expect.objectContaining({ name, verb: 'create', outcome: 201 }));
  });

  it('writes nothing into a namespace that is not its own, whatever the Partition says (admission bypassed)', async () => {
    // Written straight into the management cluster, as a bug in admission would let through.
    const sneaks = { [`own-sneak-${run}`]: 'kube-system', [`own-stray-${run}`]: stray };
    for (const [name, ns] of Object.entries(sneaks)) {
      await kube.create(kinds.Partition, {
        apiVersion: 'shipyard.dev/v1alpha1',
        kind: 'Partition',
        metadata: { name },
        spec: { tenant, cluster, namespace: ns, hard: {} },
      });
    }
    try {
      for (const [name, ns] of Object.entries(sneaks)) {
        const ready = await eventually(`${name} not Ready, and why`, async () => {
          const c = await condition(`/api/v1/partitions/${name}`, 'Ready');
          return c?.reason === 'NamespaceNotOwned' ? c : undefined;
        });
        expect([ready.status, ready.message], name).toEqual(['False', expect.stringContaining(ns)]);
      }
      // The RBAC controller has looked at the cluster with both partitions in it: it bound nothing there.
      const rbac = await eventually('RBACSynced to say why', async () => {
        const c = await condition(`/api/v1/clusters/${cluster}`, 'RBACSynced');
        return c?.reason === 'NamespaceNotOwned' && Object.keys(sneaks).every((n) => c.message?.includes(n))
          ? c
          : undefined;
      });
      expect(rbac.status).toBe('False');
      for (const ns of Object.values(sneaks)) {
        const ours = await kubectl(f.user, [
          'get',
          'rolebindings,resourcequotas,limitranges,networkpolicies',
          '-n',
          ns,
          '-l',
          'app.kubernetes.io/managed-by=shipyard',
          '-o',
          'name',
        ]);
        expect(ours.trim(), ns).toBe('');
        expect((await namespace(ns)).metadata.labels ?? {}, ns).not.toHaveProperty('shipyard.dev/partition');
        for (const [verb, resource] of [
          ['get', 'secrets'],
          ['create', 'pods'],
        ] as const)
          expect(await can(tadmin, verb, resource, ns), `${verb} ${resource} in ${ns}`).toBe(false);
      }
      // Its own partition is bound all the same.
      expect(await can(tadmin, 'create', 'pods', own)).toBe(true);
    } finally {
      for (const name of Object.keys(sneaks)) {
        await kube.delete(kinds.Partition, name).catch((err: unknown) => {
          if (!(err instanceof ApiError && err.status === 404)) throw err;
        });
      }
      // Nothing of theirs to remove: the controller lets them go without touching the namespaces.
      for (const name of Object.keys(sneaks)) {
        await eventually(`${name} gone`, async () =>
          (await f.admin.get(`/api/v1/partitions/${name}`)).status === 404 ? true : undefined,
        );
      }
      await kubectl(f.user, ['get', 'namespace', 'kube-system', stray]);
    }
  });
});

describe('Pod Security in every partition', () => {
  const tries = hostPods(own, 'ps');
  const create = (p: Person, name: string, manifest: object) => createAs(f, p, name, manifest);
  const level = async () => (await namespace(own)).metadata.labels?.[enforce];

  it('enforces baseline: the apiserver itself refuses privileged, host-network, host-PID and hostPath pods', async () => {
    expect((await namespace(own)).metadata.labels).toMatchObject({
      [enforce]: 'baseline',
      [`${enforce}-version`]: 'latest',
    });
    for (const [what, manifest] of Object.entries(tries)) {
      const r = await create(tadmin, what, manifest);
      expect([r.code, r.err], what).toEqual([
        1,
        expect.stringMatching(/violates PodSecurity "baseline:latest"/),
      ]);
    }
    const plain = await create(tadmin, 'plain', podManifest({ name: 'ps-plain', namespace: own }));
    expect(plain.code, plain.err).toBe(0);
  });

  it('cannot be lifted by the tenant: RBAC forbids it, and drift repair puts the labels back', async () => {
    expect(await can(tadmin, 'patch', 'namespaces', own)).toBe(false);
    expect(await can(tadmin, 'update', 'namespaces', own)).toBe(false);
    const r = await tadmin.kubectl('label', 'namespace', own, `${enforce}=privileged`, '--overwrite');
    expect([r.code, r.err]).toEqual([1, expect.stringMatching(/forbidden/i)]);
    // The cluster's own admin takes them off: they are back within seconds.
    await kubectl(f.user, ['label', 'namespace', own, `${enforce}-`, `${enforce}-version-`]);
    await eventually('the Pod Security labels back', async () => {
      const labels = (await namespace(own)).metadata.labels ?? {};
      return labels[enforce] === 'baseline' && labels[`${enforce}-version`] === 'latest' ? true : undefined;
    });
  });

  it('is restricted at the tenant admin word, privileged only at a system admin word, and audited', async () => {
    const asTenant = await tadmin.api.patch<Err>(`/api/v1/partitions/${own}`, {
      spec: { podSecurity: 'privileged' },
    });
    expect([asTenant.status, asTenant.body.message]).toEqual([
      403,
      'only a system admin may lift Pod Security from a partition (spec.podSecurity: privileged)',
    ]);
    const restricted = await tadmin.api.patch(`/api/v1/partitions/${own}`, {
      spec: { podSecurity: 'restricted' },
    });
    expect(restricted.status, JSON.stringify(restricted.body)).toBe(200);
    await eventually('restricted enforced', async () =>
      (await level()) === 'restricted' ? true : undefined,
    );

    const lifted = await f.admin.patch(`/api/v1/partitions/${own}`, { spec: { podSecurity: 'privileged' } });
    expect(lifted.status, JSON.stringify(lifted.body)).toBe(200);
    await eventually('privileged allowed', async () => ((await level()) === 'privileged' ? true : undefined));
    const hostPID = await create(
      tadmin,
      'hostPID-allowed',
      podManifest({ name: 'ps-pid-ok', namespace: own, spec: { hostPID: true } }),
    );
    expect(hostPID.code, hostPID.err).toBe(0);
    const audit = await f.admin.get<{ items: { name?: string; changes?: string[]; outcome: number }[] }>(
      `/api/v1/audit?user=admin&kind=Partition`,
    );
    expect(audit.body.items).toContainEqual(
      expect.objectContaining({
        name: own,
        outcome: 200,
        changes: expect.arrayContaining(['spec.podSecurity']),
      }),
    );
    // Back to baseline, by the tenant admin: lowering the exception is theirs to do.
    const back = await tadmin.api.patch(`/api/v1/partitions/${own}`, { spec: { podSecurity: 'baseline' } });
    expect(back.status, JSON.stringify(back.body)).toBe(200);
    await eventually('baseline again', async () => ((await level()) === 'baseline' ? true : undefined));
  });
});
