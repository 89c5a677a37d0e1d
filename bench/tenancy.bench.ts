// Tenancy at scale: how long a new partition takes to be in force in its user cluster (namespace, enforced
// ResourceQuota and the tenant's team RoleBindings), p50/p99 over one partition at a time; then the server's
// memory with many partitions spread over several user clusters and tenants, all Ready. (One tenant's
// partitions share its quota ledger: a thousand created at once in ONE tenant contend on it, see the note.)
import https from 'node:https';
import v8 from 'node:v8';
import vm from 'node:vm';
import { kubectl, type LocalCluster } from '@shipyard/localkube';
import { kubeGet, kubeTarget, type KubeTarget } from './kube.js';
import { percentiles } from './stats.js';

export type TenancyBenchOptions = {
  base: string;
  token: string;
  management: string;
  clusters: LocalCluster[];
  /** Partitions made one at a time on the first cluster, each timed. */
  timed: number;
  /** Partitions in all, spread evenly over the clusters and the tenants. */
  total: number;
  /** Tenants, each with a quota on every cluster. */
  tenants: number;
};

export type TenancyResult = {
  clusters: number;
  timed: number;
  readyMs: { p50: number; p99: number; max: number };
  quotaMs: { p50: number; p99: number };
  rbacMs: { p50: number; p99: number };
  total: number;
  tenants: number;
  allReadySeconds: number;
  memory: { before: Memory; after: Memory; heapPerPartitionKiB: number };
};
type Memory = { heapUsedMiB: number; rssMiB: number };

const tenantName = (i: number) => `bench-t${String(i).padStart(3, '0')}`;

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

function memory(): Memory {
  gc();
  const m = process.memoryUsage();
  const mib = (n: number) => Math.round((n / 2 ** 20) * 10) / 10;
  return { heapUsedMiB: mib(m.heapUsed), rssMiB: mib(m.rss) };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function benchTenancy(o: TenancyBenchOptions): Promise<TenancyResult> {
  const api = async (method: string, url: string, body?: unknown) => {
    const res = await fetch(o.base + url, {
      method,
      headers: { authorization: `Bearer ${o.token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (res.status >= 300) throw new Error(`${method} ${url}: ${res.status} ${text}`);
    return JSON.parse(text) as unknown;
  };

  const names = o.clusters.map((_, i) => `bench-user-${i}`);
  for (const [i, c] of o.clusters.entries()) {
    await kubectl({ kubeconfig: o.management }, [
      'create',
      'secret',
      'generic',
      `kc-${names[i]}`,
      '-n',
      'shipyard-system',
      `--from-file=kubeconfig=${c.kubeconfig}`,
    ]);
    await api('POST', '/api/v1/clusters', {
      metadata: { name: names[i] },
      spec: { connection: { mode: 'direct', kubeconfigSecret: `kc-${names[i]}` } },
    });
  }
  const hard = { 'requests.cpu': '100000', 'limits.cpu': '100000', pods: '1000000' };
  for (let t = 0; t < o.tenants; t++) {
    await api('POST', '/api/v1/tenants', {
      metadata: { name: tenantName(t) },
      spec: { clusters: names.map((cluster) => ({ cluster, hard })) },
    });
  }
  await sleep(2000); // the cache and controllers catch up with the clusters and the tenant
  const before = memory();

  // One at a time on the first cluster: from the POST to the quota enforced and the team bound, in the cluster.
  const target: KubeTarget = await kubeTarget(o.clusters[0]!.kubeconfig);
  const agent = new https.Agent({ keepAlive: true, maxSockets: 4, ...target.tls });
  const ready: number[] = [];
  const quota: number[] = [];
  const rbac: number[] = [];
  const partition = (i: number) => `bench-p-${String(i).padStart(4, '0')}`;
  const share = { 'requests.cpu': '1', 'limits.cpu': '2', pods: '10' };
  try {
    for (let i = 0; i < o.timed; i++) {
      const ns = partition(i);
      const tenant = tenantName(i % o.tenants);
      const developers = `${tenant}-developers`;
      const t0 = performance.now();
      await api('POST', '/api/v1/partitions', {
        metadata: { name: ns },
        spec: { tenant, cluster: names[0], hard: share },
      });
      let quotaAt: number | undefined;
      let rbacAt: number | undefined;
      while (quotaAt === undefined || rbacAt === undefined) {
        if (performance.now() - t0 > 60_000) throw new Error(`partition ${ns} not in force after 60 s`);
        const [q, rb] = await Promise.all([
          quotaAt === undefined
            ? kubeGet(target, agent, `/api/v1/namespaces/${ns}/resourcequotas/shipyard-quota`)
            : undefined,
          rbacAt === undefined
            ? kubeGet(
                target,
                agent,
                `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/rolebindings?labelSelector=shipyard.dev%2Fbinding%3D${developers}`,
              )
            : undefined,
        ]);
        const now = performance.now() - t0;
        const enforced = (q?.body as { status?: { hard?: Record<string, string> } } | undefined)?.status
          ?.hard;
        if (q && q.status === 200 && enforced?.['requests.cpu']) quotaAt = now;
        if (rb && rb.status === 200 && ((rb.body as { items?: unknown[] }).items?.length ?? 0) > 0)
          rbacAt = now;
        if (quotaAt === undefined || rbacAt === undefined) await sleep(5);
      }
      quota.push(quotaAt);
      rbac.push(rbacAt);
      ready.push(Math.max(quotaAt, rbacAt));
    }
  } finally {
    agent.destroy();
  }

  // The rest, spread over the clusters, 8 at a time; then until every partition reports Ready.
  const t1 = performance.now();
  let next = o.timed;
  const worker = async () => {
    while (next < o.total) {
      const i = next++;
      const cluster = names[i % names.length];
      const tenant = tenantName(i % o.tenants);
      await api('POST', '/api/v1/partitions', {
        metadata: { name: partition(i) },
        spec: { tenant, cluster, hard: share },
      });
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  for (;;) {
    const list = (await api('GET', '/api/v1/partitions?pageSize=1000&filter=metadata.name~bench-p-')) as {
      items: { status?: { conditions?: { type: string; status: string }[] } }[];
      total: number;
    };
    const readyCount = list.items.filter((p) =>
      p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
    ).length;
    if (readyCount === o.total) break;
    if (performance.now() - t1 > 600_000)
      throw new Error(`${readyCount} of ${o.total} partitions Ready after 10 min`);
    await sleep(500);
  }
  const allReadySeconds = (performance.now() - t1) / 1000;
  await sleep(5000); // informers settle, controllers idle
  const after = memory();
  const q = percentiles(quota);
  const r = percentiles(rbac);
  return {
    clusters: o.clusters.length,
    timed: o.timed,
    readyMs: percentiles(ready),
    quotaMs: { p50: q.p50, p99: q.p99 },
    rbacMs: { p50: r.p50, p99: r.p99 },
    total: o.total,
    tenants: o.tenants,
    allReadySeconds,
    memory: {
      before,
      after,
      heapPerPartitionKiB:
        Math.round((((after.heapUsedMiB - before.heapUsedMiB) * 1024) / o.total) * 10) / 10,
    },
  };
}
