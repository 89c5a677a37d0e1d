/**
 * What the tenancy integration tests share: a server with one user cluster joined directly, and the steps a
 * system admin and tenant admins take (tenants with quota, partitions, users with kubeconfigs).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { down, up, type LocalCluster } from '@shipyard/localkube';
import { joinDirect, leaveDirect } from '../../testing/clusters.js';
import { kubeconfigFor, kubectlWith, type ToolResult } from '../../testing/kube-tools.js';
import {
  ApiClient,
  eventually,
  startTestServer,
  testAdminPassword,
  type TestServer,
} from '../../testing/server.js';

export const password = 'tenancy-test-password';

export type TenancyFixture = {
  server: TestServer;
  admin: ApiClient;
  user: LocalCluster;
  /** The user cluster's name on the platform. */
  cluster: string;
  /** A folder for kubeconfigs, removed by close(). */
  dir: string;
  /** Removes the Cluster (its partitions with it), stops the server and the user cluster. */
  close(): Promise<void>;
};

/** A server and a 1-node user cluster (started side by side), the cluster joined directly and cached. */
export async function startTenancyFixture(kubeconfig: string, cluster: string): Promise<TenancyFixture> {
  const [server, user] = await Promise.all([startTestServer(kubeconfig), up({ name: cluster, nodes: 1 })]);
  const admin = await ApiClient.signedIn(server.url, 'admin', testAdminPassword);
  await joinDirect(admin, kubeconfig, cluster, user.kubeconfig);
  await cached(admin, 'clusters', cluster);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'shipyard-tenancy-'));
  return {
    server,
    admin,
    user,
    cluster,
    dir,
    async close() {
      // The Cluster goes first, and the server lets its partitions go with it (their finalizers released):
      // nothing of this file is left for the next file's server to chase.
      await leaveDirect({ admin, management: kubeconfig, names: [cluster] });
      const left = async () => {
        const r = await admin.get<{ items: { spec: { cluster: string } }[] }>(
          '/api/v1/partitions?pageSize=1000',
        );
        return r.body.items.filter((p) => p.spec.cluster === cluster).length;
      };
      await eventually(
        `the partitions on ${cluster} gone`,
        async () => ((await left()) === 0 ? true : undefined),
        30_000,
      );
      await server.close();
      await down(user.name);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Waits until the server's cache has the object (its API answers 200 for it). */
export function cached(client: ApiClient, plural: string, name: string): Promise<true> {
  return eventually(`${plural}/${name} cached`, async () =>
    (await client.get(`/api/v1/${plural}/${name}`)).status === 200 ? true : undefined,
  );
}

/** Creates as `client`; fails the test with the API's answer unless 201. Waits until it is cached. */
export async function created(client: ApiClient, plural: string, body: { metadata: { name: string } }) {
  const r = await client.post(`/api/v1/${plural}`, body);
  if (r.status !== 201)
    throw new Error(`create ${plural}/${body.metadata.name}: ${r.status} ${JSON.stringify(r.body)}`);
  await cached(client, plural, body.metadata.name);
}

/** A partition, once its controller reports it Ready (namespace, quota and the rest made in the cluster). */
export async function readyPartition(
  admin: ApiClient,
  spec: { name: string; tenant: string; cluster: string; hard?: Record<string, string> },
): Promise<void> {
  const { name, ...rest } = spec;
  await created(admin, 'partitions', { metadata: { name }, spec: rest } as { metadata: { name: string } });
  await eventually(
    `partition ${name} Ready`,
    async () => {
      const p = await admin.get<{ status?: { conditions?: { type: string; status: string }[] } }>(
        `/api/v1/partitions/${name}`,
      );
      return p.body.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')
        ? true
        : undefined;
    },
    30_000,
  );
}

export type Person = { name: string; api: ApiClient; kubectl(...args: string[]): Promise<ToolResult> };

/** A local user, signed in, with a kubeconfig of the cluster (once they may reach it). */
export async function person(f: TenancyFixture, name: string): Promise<Person> {
  await created(f.admin, 'users', { metadata: { name }, spec: { password } } as {
    metadata: { name: string };
  });
  const api = await ApiClient.signedIn(f.server.url, name, password);
  let file: string | undefined;
  return {
    name,
    api,
    async kubectl(...args: string[]) {
      file ??= await eventually(`a kubeconfig for ${name}`, () =>
        kubeconfigFor(api, f.cluster, f.dir, name).catch(() => undefined),
      );
      return kubectlWith(file, ...args);
    },
  };
}

/** `kubectl auth can-i` through the proxy: the cluster's own RBAC decides, for this user as the proxy sends them. */
export async function can(p: Person, verb: string, resource: string, namespace: string): Promise<boolean> {
  // `pods/exec` would be read as the pod named "exec": a subresource is asked for as such.
  const [what, sub] = resource.split('/');
  const args = sub ? [what!, `--subresource=${sub}`] : [resource];
  const r = await p.kubectl('auth', 'can-i', verb, ...args, '-n', namespace);
  const answer = r.out.trim();
  if (answer === 'yes' || answer === 'no') return answer === 'yes';
  // Shipyard itself refuses someone who no longer reaches the cluster at all.
  if (r.err.includes('Forbidden')) return false;
  throw new Error(`can-i ${verb} ${resource}: ${r.err}`);
}

/** A tenant admin (tenant-admin bound on the tenant); once `works` is given, able to list pods in it. */
export async function tenantAdmin(
  f: TenancyFixture,
  opts: { name: string; tenant: string; works?: string },
): Promise<Person> {
  const p = await person(f, opts.name);
  await created(f.admin, 'roletemplatebindings', {
    metadata: { name: opts.name },
    spec: {
      subject: { kind: 'User', name: p.name },
      roleTemplate: 'tenant-admin',
      scope: { level: 'tenant', name: opts.tenant },
    },
  } as { metadata: { name: string } });
  const ns = opts.works;
  if (ns) {
    await eventually(`${p.name} works in ${ns}`, async () =>
      (await p.kubectl('get', 'pods', '-n', ns)).code === 0 ? true : undefined,
    );
  }
  return p;
}

/** `kubectl create -f` of a manifest, as the person (written to the fixture's folder). */
export function createAs(f: TenancyFixture, p: Person, name: string, manifest: object): Promise<ToolResult> {
  const file = path.join(f.dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(manifest));
  return p.kubectl('create', '-f', file);
}

/** A pod of one nginx container in `namespace`, with extra pod and container fields. */
export function podManifest(opts: {
  name: string;
  namespace: string;
  spec?: Record<string, unknown>;
  container?: Record<string, unknown>;
}): object {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: opts.name, namespace: opts.namespace },
    spec: { ...opts.spec, containers: [{ name: 'c', image: 'nginx', ...opts.container }] },
  };
}

/** The pods Pod Security's baseline refuses: privileged, host network, host PID, a host path. */
export function hostPods(namespace: string, prefix: string): Record<string, object> {
  const pod = (name: string, spec: Record<string, unknown>, container?: Record<string, unknown>) =>
    podManifest({ name: `${prefix}-${name}`, namespace, spec, container });
  return {
    privileged: pod('priv', {}, { securityContext: { privileged: true } }),
    hostNetwork: pod('net', { hostNetwork: true }),
    hostPID: pod('pid', { hostPID: true }),
    hostPath: pod('path', { volumes: [{ name: 'root', hostPath: { path: '/' } }] }),
  };
}
