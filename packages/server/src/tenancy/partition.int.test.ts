// The partition controller against a real user cluster joined directly: what a Partition makes there, that
// the apiserver itself enforces its quota, that hand edits are repaired within 10 s, and that deleting it
// removes its namespace. Times are printed: create → namespace + quota ready feeds the tenancy benchmark.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { down, kubectl, up, type LocalCluster } from '@shipyard/localkube';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { KubeApiError } from '../runtime/kube-errors.js';
import { kubeRequest } from '../runtime/kube-request.js';
import { loadKubeConfig } from '../runtime/testing/cluster.js';
import { joinDirect } from '../testing/clusters.js';
import { kubectlWith } from '../testing/kube-tools.js';
import {
  ApiClient,
  eventually,
  startTestServer,
  testAdminPassword,
  type TestServer,
} from '../testing/server.js';

const kubeconfig = inject('kubeconfig');
const run = Date.now().toString(36);
const cluster = `pt-${run}`;
const deadCluster = `pt-dead-${run}`;
const tenant = `pt-t-${run}`;
const partition = `pt-web-${run}`;
const namespace = partition;
const deadPartition = `pt-lost-${run}`;
const hard = {
  'requests.cpu': '1',
  'limits.cpu': '2',
  'requests.memory': '1Gi',
  'limits.memory': '2Gi',
  pods: '5',
};
const labels = {
  'app.kubernetes.io/managed-by': 'shipyard',
  'shipyard.dev/tenant': tenant,
  'shipyard.dev/partition': partition,
};

let server: TestServer;
let admin: ApiClient;
let user: LocalCluster;
let tmp: string;

type Obj = {
  metadata: { name: string; uid: string; labels?: Record<string, string>; deletionTimestamp?: string };
  spec?: Record<string, unknown>;
  status?: { hard?: Record<string, string>; used?: Record<string, string>; phase?: string };
};
type Condition = { type: string; status: string; reason?: string; message?: string };
type PartitionBody = {
  metadata: { finalizers?: string[]; deletionTimestamp?: string };
  status?: {
    namespace?: string;
    hard?: Record<string, string>;
    used?: Record<string, string>;
    conditions?: Condition[];
  };
};
type TenantBody = {
  status?: {
    clusters?: { cluster: string; hard: Record<string, string>; used: Record<string, string> }[];
    reservations?: Record<string, unknown>;
  };
};

const core = (what: string) => `/api/v1/namespaces/${namespace}/${what}`;
const paths = {
  namespace: `/api/v1/namespaces/${namespace}`,
  quota: core('resourcequotas/shipyard-quota'),
  limits: core('limitranges/shipyard-defaults'),
  isolation: `/apis/networking.k8s.io/v1/namespaces/${namespace}/networkpolicies/shipyard-isolation`,
  rules: `/apis/networking.k8s.io/v1/namespaces/${namespace}/networkpolicies/shipyard-rules`,
};

/** An object of the user cluster, as its admin; undefined when it does not exist. */
async function inCluster(p: string): Promise<Obj | undefined> {
  try {
    return (await kubeRequest(loadKubeConfig(user.kubeconfig), { path: p })) as Obj;
  } catch (err) {
    if (err instanceof KubeApiError && err.status === 404) return undefined;
    throw err;
  }
}

const ms = (since: number) => Math.round(performance.now() - since);

async function readPartition(name: string) {
  return admin.get<PartitionBody>(`/api/v1/partitions/${name}`);
}

async function ready(name: string): Promise<Condition | undefined> {
  return (await readPartition(name)).body.status?.conditions?.find((c) => c.type === 'Ready');
}

/** Waits until the quota exists as the partition says and the cluster's quota controller enforces it. */
async function quotaInForce(timeoutMs = 15_000): Promise<Obj> {
  return eventually(
    'the quota in force',
    async () => {
      const q = await inCluster(paths.quota);
      const spec = q?.spec?.hard as Record<string, string> | undefined;
      return q && spec?.['requests.cpu'] === '1' && !spec.secrets && q.status?.hard?.['requests.cpu'] === '1'
        ? q
        : undefined;
    },
    timeoutMs,
  );
}

beforeAll(async () => {
  [server, user] = await Promise.all([startTestServer(kubeconfig), up({ name: cluster, nodes: 1 })]);
  admin = await ApiClient.signedIn(server.url, 'admin', testAdminPassword);
  tmp = mkdtempSync(path.join(os.tmpdir(), 'partition-int-'));
  await joinDirect(admin, kubeconfig, cluster, user.kubeconfig);
  await eventually('the cluster in the cache', async () =>
    (await admin.get(`/api/v1/clusters/${cluster}`)).status === 200 ? true : undefined,
  );
  const t = await admin.post('/api/v1/tenants', {
    metadata: { name: tenant },
    spec: {
      clusters: [
        {
          cluster,
          hard: {
            'requests.cpu': '4',
            'limits.cpu': '8',
            'requests.memory': '8Gi',
            'limits.memory': '16Gi',
            pods: '20',
          },
        },
      ],
    },
  });
  expect(t.status, JSON.stringify(t.body)).toBe(201);
  await eventually('the tenant in the cache', async () =>
    (await admin.get(`/api/v1/tenants/${tenant}`)).status === 200 ? true : undefined,
  );
});

afterAll(async () => {
  for (const p of [`partitions/${partition}`, `partitions/${deadPartition}`, `tenants/${tenant}`])
    await admin?.del(`/api/v1/${p}`);
  for (const c of [cluster, deadCluster]) {
    await admin?.del(`/api/v1/clusters/${c}`);
    await kubectl({ kubeconfig }, ['delete', 'secret', '-n', 'shipyard-system', `kc-${c}`]).catch(
      () => undefined,
    );
  }
  await server?.close();
  if (user) await down(cluster);
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('the partition controller', () => {
  it('makes the namespace, quota, limit range and network policies within seconds', async () => {
    const created = performance.now();
    const r = await admin.post('/api/v1/partitions', {
      metadata: { name: partition },
      spec: {
        tenant,
        cluster,
        hard,
        networkPolicy: {
          rules: [
            { direction: 'In', partition: 'pt-api', protocol: 'TCP', ports: '4000-6000' },
            { direction: 'Out', cidr: '10.0.0.0/8', protocol: 'TCP', ports: '443' },
          ],
        },
      },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    await eventually('the namespace', () => inCluster(paths.namespace));
    const nsMs = ms(created);
    await quotaInForce();
    const quotaMs = ms(created);
    await eventually('Ready', async () => ((await ready(partition))?.status === 'True' ? true : undefined));
    console.log(
      `partition create → namespace ${nsMs} ms, → namespace + quota in force ${quotaMs} ms, → Ready ${ms(created)} ms`,
    );
    expect(quotaMs).toBeLessThan(10_000);

    for (const p of Object.values(paths)) expect((await inCluster(p))?.metadata.labels).toMatchObject(labels);
    const limits = await inCluster(paths.limits);
    // A tenth of the partition's quota (partition-objects.ts).
    expect(limits?.spec?.limits).toEqual([
      {
        type: 'Container',
        default: { cpu: '200m', memory: '204Mi' },
        defaultRequest: { cpu: '100m', memory: '102Mi' },
      },
    ]);
    expect((await inCluster(paths.isolation))?.spec).toMatchObject({
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'shipyard.dev/tenant': tenant } } }] }],
    });
    const rules = (await inCluster(paths.rules))?.spec;
    expect(rules?.ingress).toEqual([
      {
        from: [{ namespaceSelector: { matchLabels: { 'shipyard.dev/partition': 'pt-api' } } }],
        ports: [{ protocol: 'TCP', port: 4000, endPort: 6000 }],
      },
    ]);
    expect(rules?.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(rules?.egress).toContainEqual({
      to: [{ ipBlock: { cidr: '10.0.0.0/8' } }],
      ports: [{ protocol: 'TCP', port: 443 }],
    });

    const p = (await readPartition(partition)).body;
    expect(p.metadata.finalizers).toContain('shipyard.dev/partition');
    expect(p.status).toMatchObject({ namespace, hard: { 'requests.cpu': '1', pods: '5' } });
  });

  it('has the apiserver refuse a pod over the quota, and admit and count one that states nothing', async () => {
    const big = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'big', namespace },
      spec: {
        containers: [
          { name: 'c', image: 'nginx', resources: { requests: { cpu: '2' }, limits: { cpu: '2' } } },
        ],
      },
    };
    const file = path.join(tmp, 'big.json');
    writeFileSync(file, JSON.stringify(big));
    const refused = await kubectlWith(user.kubeconfig, 'create', '-f', file);
    expect(refused.code).not.toBe(0);
    expect(refused.err).toMatch(
      /exceeded quota: shipyard-quota.*requested: .*requests\.cpu=2.*limited: .*requests\.cpu=1/,
    );

    const small = await kubectlWith(
      user.kubeconfig,
      'run',
      'small',
      '--image=nginx',
      '--restart=Never',
      '-n',
      namespace,
    );
    expect(small.code, small.err).toBe(0);
    const pod = (await inCluster(core('pods/small'))) as {
      spec?: { containers?: { resources?: unknown }[] };
    };
    expect(pod.spec?.containers?.[0]?.resources).toEqual({
      requests: { cpu: '100m', memory: '102Mi' },
      limits: { cpu: '200m', memory: '204Mi' },
    });

    const used = {
      'requests.cpu': '100m',
      'limits.cpu': '200m',
      'requests.memory': '102Mi',
      'limits.memory': '204Mi',
      pods: '1',
    };
    const counted = performance.now();
    await eventually('used in the Partition status', async () => {
      const s = (await readPartition(partition)).body.status;
      return s?.used?.pods === '1' ? s : undefined;
    });
    expect((await readPartition(partition)).body.status?.used).toEqual(used);
    const line = await eventually('used in the Tenant status', async () => {
      const t = (await admin.get<TenantBody>(`/api/v1/tenants/${tenant}`)).body;
      const l = t.status?.clusters?.find((c) => c.cluster === cluster);
      return l?.used.pods === '1' ? { l, t } : undefined;
    });
    console.log(`pod admitted → counted in Partition and Tenant status ${ms(counted)} ms`);
    expect(line.l.used).toEqual(used);
    expect(line.l.hard).toMatchObject({ 'requests.cpu': '4', pods: '20' });
    // Admission's ledger is carried through the usage writes.
    expect(Object.keys(line.t.status?.reservations ?? {})).toContain(partition);
  });

  it('repairs objects deleted or edited by hand within 10 s', async () => {
    const repaired = async (what: string, change: () => Promise<unknown>, back: () => Promise<unknown>) => {
      const started = performance.now();
      await change();
      await eventually(`${what} repaired`, async () => ((await back()) ? true : undefined), 10_000);
      const took = ms(started);
      console.log(`${what}: repaired in ${took} ms`);
      expect(took).toBeLessThan(10_000);
    };
    const uid = (await inCluster(paths.quota))?.metadata.uid;
    await repaired(
      'ResourceQuota deleted',
      () => kubectl(user, ['delete', 'resourcequota', 'shipyard-quota', '-n', namespace, '--wait=false']),
      async () => {
        const q = await inCluster(paths.quota);
        return q && q.metadata.uid !== uid ? q : undefined;
      },
    );
    await repaired(
      'ResourceQuota hard edited (raised, a key added)',
      () =>
        kubectl(user, [
          'patch',
          'resourcequota',
          'shipyard-quota',
          '-n',
          namespace,
          '--type=merge',
          '-p',
          JSON.stringify({ spec: { hard: { 'requests.cpu': '100', secrets: '1' } } }),
        ]),
      () => quotaInForce(10_000),
    );
    await repaired(
      'NetworkPolicy deleted',
      () => kubectl(user, ['delete', 'networkpolicy', 'shipyard-isolation', '-n', namespace, '--wait=false']),
      () => inCluster(paths.isolation),
    );
    await repaired(
      'LimitRange label removed',
      () =>
        kubectl(user, [
          'label',
          'limitrange',
          'shipyard-defaults',
          '-n',
          namespace,
          'shipyard.dev/partition-',
        ]),
      async () =>
        (await inCluster(paths.limits))?.metadata.labels?.['shipyard.dev/partition'] === partition
          ? true
          : undefined,
    );
    // A namespace is gone only once Kubernetes has emptied it (its pods stopped): that part is the cluster's.
    const nsUid = (await inCluster(paths.namespace))?.metadata.uid;
    const deleted = performance.now();
    await kubectl(user, ['delete', 'namespace', namespace, '--wait=false']);
    const gone = await eventually(
      'the namespace emptied and gone',
      async () => {
        const ns = await inCluster(paths.namespace);
        return ns?.metadata.uid === nsUid ? undefined : performance.now();
      },
      60_000,
    );
    await eventually(
      'the namespace made again, with its quota and policies',
      async () => {
        const ns = await inCluster(paths.namespace);
        if (!ns || ns.metadata.uid === nsUid) return undefined;
        return (await inCluster(paths.quota)) && (await inCluster(paths.isolation)) ? true : undefined;
      },
      10_000,
    );
    const again = Math.round(performance.now() - gone);
    console.log(
      `Namespace deleted: Kubernetes took ${Math.round(gone - deleted)} ms to remove it, made again ${again} ms after`,
    );
    expect(again).toBeLessThan(10_000);
    await eventually('Ready again', async () =>
      (await ready(partition))?.status === 'True' ? true : undefined,
    );
  });

  it('follows a resize: the quota and the defaults change, and the finalizer stays on', async () => {
    const r = await admin.patch(`/api/v1/partitions/${partition}`, {
      spec: { hard: { ...hard, 'requests.cpu': '2', 'limits.cpu': '4' } },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    await eventually('the quota resized and in force', async () => {
      const q = await inCluster(paths.quota);
      return q?.status?.hard?.['requests.cpu'] === '2' ? true : undefined;
    });
    const limits = await inCluster(paths.limits);
    expect(limits?.spec?.limits).toMatchObject([
      { default: { cpu: '400m' }, defaultRequest: { cpu: '200m' } },
    ]);
    // An update through the API writes the object without the finalizer; the controller puts it back.
    await eventually('the finalizer back, and Ready', async () => {
      const p = (await readPartition(partition)).body;
      const c = p.status?.conditions?.find((x) => x.type === 'Ready');
      return p.metadata.finalizers?.includes('shipyard.dev/partition') && c?.status === 'True'
        ? true
        : undefined;
    });
  });

  it('removes a namespace of ours whose partition does not exist', async () => {
    const orphan = `pt-orphan-${run}`;
    await kubectl(user, ['create', 'namespace', orphan]);
    await kubectl(user, [
      'label',
      'namespace',
      orphan,
      'app.kubernetes.io/managed-by=shipyard',
      `shipyard.dev/partition=${orphan}`,
    ]);
    await eventually('the orphan namespace removed', async () => {
      const ns = await inCluster(`/api/v1/namespaces/${orphan}`);
      return !ns || ns.metadata.deletionTimestamp ? true : undefined;
    });
  });

  it('reports a cluster that does not answer, and keeps the partition until it can remove its namespace', async () => {
    const dead = path.join(tmp, 'dead.kubeconfig');
    writeFileSync(dead, readFileSync(user.kubeconfig, 'utf8').replace(user.server, 'https://127.0.0.1:1'));
    await joinDirect(admin, kubeconfig, deadCluster, dead);
    await eventually('the dead cluster in the cache', async () =>
      (await admin.get(`/api/v1/clusters/${deadCluster}`)).status === 200 ? true : undefined,
    );
    const t = await admin.get<{ spec: { clusters: unknown[] } }>(`/api/v1/tenants/${tenant}`);
    const grown = await admin.patch(`/api/v1/tenants/${tenant}`, {
      spec: { clusters: [...t.body.spec.clusters, { cluster: deadCluster, hard: { pods: '2' } }] },
    });
    expect(grown.status, JSON.stringify(grown.body)).toBe(200);
    await eventually('the tenant grown in the cache', async () => {
      const now = await admin.get<{ spec: { clusters: unknown[] } }>(`/api/v1/tenants/${tenant}`);
      return now.body.spec.clusters.length === 2 ? true : undefined;
    });
    const r = await admin.post('/api/v1/partitions', {
      metadata: { name: deadPartition },
      spec: { tenant, cluster: deadCluster, hard: { pods: '1' } },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    const cond = await eventually('Ready False ClusterUnreachable', async () => {
      const c = await ready(deadPartition);
      return c?.reason === 'ClusterUnreachable' ? c : undefined;
    });
    expect(cond.status).toBe('False');
    expect(cond.message).toContain(deadCluster);

    expect((await admin.del(`/api/v1/partitions/${deadPartition}`)).status).toBe(200);
    const kept = await eventually('the finalizer kept, and why', async () => {
      const p = await readPartition(deadPartition);
      const c = p.body.status?.conditions?.find((x) => x.type === 'Ready');
      return p.body.metadata.deletionTimestamp && c?.message?.includes('cannot be removed yet')
        ? p
        : undefined;
    });
    expect(kept.body.metadata.finalizers).toContain('shipyard.dev/partition');
    // The cluster is gone for good: nothing is left to remove, the partition goes.
    expect((await admin.del(`/api/v1/clusters/${deadCluster}`)).status).toBe(200);
    await eventually('the partition gone', async () =>
      (await readPartition(deadPartition)).status === 404 ? true : undefined,
    );
  });

  it('removes the namespace, and everything in it, when the partition is deleted', async () => {
    const deleted = performance.now();
    expect((await admin.del(`/api/v1/partitions/${partition}`)).status).toBe(200);
    const terminating = await eventually('the namespace terminating or gone', async () => {
      const ns = await inCluster(paths.namespace);
      return !ns || ns.metadata.deletionTimestamp ? true : undefined;
    });
    expect(terminating).toBe(true);
    await eventually(
      'the namespace gone and the partition released',
      async () =>
        !(await inCluster(paths.namespace)) && (await readPartition(partition)).status === 404
          ? true
          : undefined,
      60_000,
    );
    console.log(`partition delete → namespace gone and finalizer released ${ms(deleted)} ms`);
  });
});
