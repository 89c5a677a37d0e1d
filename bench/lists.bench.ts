// Lists of many platform objects: Shipyard's cached, sorted, paginated list against kube-apiserver's own
// list of the same objects, measured one after the other in the same run on the same machine.
import { tenantsPath, type KubeTarget } from './kube.js';
import { load, type LoadResult } from './load.js';

export type ListsBenchOptions = {
  shipyard: { base: string; token: string };
  kube: KubeTarget;
  /** How many Tenants exist: checked before measuring. */
  count: number;
  connections: number;
  /** Connections for the full lists (each moves megabytes). */
  fullConnections: number;
  warmupMs: number;
  durationMs: number;
};

export type Row = {
  id: string;
  /** kube-apiserver, or the Shipyard path measured (its cache, the proxy to a direct cluster or a tunnel). */
  via: string;
  what: string;
  paths: string[];
  result: LoadResult;
};

export type Ratio = { what: string; throughput: number; p50: number; p99: number };

const maxPageSize = 1000; // Shipyard's largest page: a "full list" through it is every page in turn

async function getJson(url: string, init: RequestInit = {}): Promise<unknown> {
  const res = await fetch(url, init);
  if (res.status !== 200) throw new Error(`GET ${url}: ${res.status} ${await res.text()}`);
  return res.json();
}

/** The responses are what they should be before anything is timed. */
async function check(o: ListsBenchOptions, shipyardPage: string, fullPages: string[]): Promise<void> {
  const auth = { headers: { authorization: `Bearer ${o.shipyard.token}` } };
  const page = (await getJson(o.shipyard.base + shipyardPage, auth)) as {
    items: Array<{ metadata: { name: string } }>;
    total: number;
  };
  const last = `bench-${String(o.count - 1).padStart(5, '0')}`;
  if (page.items.length !== 50 || page.total !== o.count || page.items[0]?.metadata.name !== last) {
    throw new Error(
      `Shipyard page: ${page.items.length} items of ${page.total}, first ${page.items[0]?.metadata.name}`,
    );
  }
  let seen = 0;
  for (const p of fullPages)
    seen += ((await getJson(o.shipyard.base + p, auth)) as { items: unknown[] }).items.length;
  if (seen !== o.count) throw new Error(`Shipyard pages held ${seen} tenants, not ${o.count}`);
  // kube-apiserver is checked by the load itself (200s) and by the byte counts in the report.
}

export async function benchLists(o: ListsBenchOptions): Promise<{ rows: Row[]; ratios: Ratio[] }> {
  const shipyardPage = '/api/v1/tenants?page=1&pageSize=50&sort=-metadata.name';
  const kubePage = `${tenantsPath}?limit=50`;
  const pages = Math.ceil(o.count / maxPageSize);
  const fullPages = Array.from(
    { length: pages },
    (_, i) => `/api/v1/tenants?page=${i + 1}&pageSize=${maxPageSize}`,
  );
  await check(o, shipyardPage, fullPages);

  const shipyard = { base: o.shipyard.base, headers: { authorization: `Bearer ${o.shipyard.token}` } };
  const kube = { base: o.kube.base, headers: { accept: 'application/json' }, tls: o.kube.tls };
  const timing = { warmupMs: o.warmupMs, durationMs: o.durationMs };
  const plan: Array<Omit<Row, 'result'> & { target: typeof shipyard | typeof kube; connections: number }> = [
    {
      id: 'page.kube',
      via: 'kube-apiserver',
      what: 'page of 50 (limit=50)',
      paths: [kubePage],
      target: kube,
      connections: o.connections,
    },
    {
      id: 'page.shipyard',
      via: 'shipyard',
      what: 'page of 50, sorted by -name',
      paths: [shipyardPage],
      target: shipyard,
      connections: o.connections,
    },
    {
      id: 'full.kube',
      via: 'kube-apiserver',
      what: `all ${o.count} (one unpaginated list)`,
      paths: [tenantsPath],
      target: kube,
      connections: o.fullConnections,
    },
    {
      id: 'full.shipyard',
      via: 'shipyard',
      what: `all ${o.count} (${pages} pages of ${maxPageSize} in turn)`,
      paths: fullPages,
      target: shipyard,
      connections: o.fullConnections,
    },
  ];
  const rows: Row[] = [];
  for (const { target, connections, ...row } of plan) {
    process.stdout.write(`measuring ${row.id} (${connections} connections, ${o.durationMs / 1000} s)… `);
    const result = await load({ ...target, ...timing, paths: row.paths, connections });
    process.stdout.write(`${result.perSecond.toFixed(1)}/s\n`);
    rows.push({ ...row, result });
  }
  const ratio = (what: string, s: Row | undefined, k: Row | undefined): Ratio => ({
    what,
    throughput: (s?.result.perSecond ?? NaN) / (k?.result.perSecond ?? NaN),
    p50: (s?.result.p50Ms ?? NaN) / (k?.result.p50Ms ?? NaN),
    p99: (s?.result.p99Ms ?? NaN) / (k?.result.p99Ms ?? NaN),
  });
  const byId = (id: string) => rows.find((r) => r.id === id);
  const ratios = [
    ratio('page of 50', byId('page.shipyard'), byId('page.kube')),
    ratio(`all ${o.count}`, byId('full.shipyard'), byId('full.kube')),
  ];
  return { rows, ratios };
}
