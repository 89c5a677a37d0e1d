// Straight to kube-apiserver as the kubeconfig's admin (client certificate): the baseline's client, and
// the fast way to create the benchmark's objects without going through Shipyard.
import https from 'node:https';
import { KubeConfig } from '@kubernetes/client-node';
import { group, version } from '@shipyard/api';

export type KubeTarget = { base: string; tls: { ca: string; cert: string; key: string } };

export const tenantsPath = `/apis/${group}/${version}/tenants`;

export async function kubeTarget(kubeconfig: string): Promise<KubeTarget> {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  const server = kc.getCurrentCluster()?.server;
  if (!server) throw new Error(`${kubeconfig}: no current cluster`);
  const opts: https.RequestOptions = {};
  await kc.applyToHTTPSOptions(opts);
  const pem = (v: unknown, what: string): string => {
    if (typeof v === 'string' || Buffer.isBuffer(v)) return v.toString();
    throw new Error(`${kubeconfig}: no ${what} (the baseline needs the admin client certificate)`);
  };
  return {
    base: server,
    tls: { ca: pem(opts.ca, 'CA'), cert: pem(opts.cert, 'cert'), key: pem(opts.key, 'key') },
  };
}

function post(agent: https.Agent, url: URL, body: unknown): Promise<void> {
  const data = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = https.request(
      url,
      { agent, method: 'POST', headers: { 'content-type': 'application/json' } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          res.statusCode === 201
            ? resolve()
            : reject(
                new Error(`POST ${url.pathname}: ${res.statusCode} ${Buffer.concat(chunks).toString()}`),
              ),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

export function tenant(i: number) {
  const n = String(i).padStart(5, '0');
  return {
    apiVersion: `${group}/${version}`,
    kind: 'Tenant',
    metadata: { name: `bench-${n}`, labels: { 'bench.shipyard.dev/shard': String(i % 10) } },
    spec: {
      displayName: `Bench ${n}`,
      description: `benchmark tenant ${n}`,
      clusters: [
        {
          cluster: 'user-cluster',
          hard: {
            'requests.cpu': '4',
            'limits.cpu': '20',
            'requests.memory': '8Gi',
            'limits.memory': '20Gi',
          },
        },
      ],
    },
  };
}

/** Creates `count` Tenants with `concurrency` requests in flight. */
export async function seedTenants(t: KubeTarget, count: number, concurrency: number): Promise<void> {
  const agent = new https.Agent({ keepAlive: true, maxSockets: concurrency, ...t.tls });
  const url = new URL(tenantsPath, t.base);
  let next = 0;
  const worker = async () => {
    while (next < count) await post(agent, url, tenant(next++));
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, worker));
  } finally {
    agent.destroy();
  }
}

/** GET as the kubeconfig's admin: the status and the parsed body (undefined when there is none). */
export function kubeGet(
  t: KubeTarget,
  agent: https.Agent,
  path: string,
): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = https.request(new URL(path, t.base), { agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        resolve({ status: res.statusCode ?? 0, body: text ? (JSON.parse(text) as unknown) : undefined });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}
