/**
 * A user who reaches a cluster only through a partition of theirs, as the proxy tests set one up: a tenant with
 * a (zero) quota on the cluster, a partition for one of its namespaces, the user, and a partition-viewer binding.
 */
import type { ApiClient } from './server.js';

export type PartitionViewerOptions = {
  user: string;
  password: string;
  cluster: string;
  namespace: string;
  /** Names of the tenant, the partition and the binding to create. */
  tenant: string;
  partition: string;
  binding: string;
};

/** Creates the four objects as admin; resolves a function that deletes them again (those gone are fine). */
export async function addPartitionViewer(
  admin: ApiClient,
  opts: PartitionViewerOptions,
): Promise<() => Promise<void>> {
  const { user, cluster, tenant, partition, binding } = opts;
  const objects: Array<[plural: string, name: string, spec: object]> = [
    ['tenants', tenant, { clusters: [{ cluster, hard: {} }] }],
    // The namespace exists already (the test made it): the system admin adopts it for the partition.
    ['partitions', partition, { tenant, cluster, namespace: opts.namespace, adopt: true }],
    ['users', user, { password: opts.password }],
    [
      'roletemplatebindings',
      binding,
      {
        subject: { kind: 'User', name: user },
        roleTemplate: 'partition-viewer',
        scope: { level: 'partition', name: partition },
      },
    ],
  ];
  const remove = async () => {
    for (const [plural, name] of [...objects].reverse()) await admin.del(`/api/v1/${plural}/${name}`);
  };
  for (const [plural, name, spec] of objects) {
    const r = await admin.post(`/api/v1/${plural}`, { metadata: { name }, spec });
    if (r.status !== 201) {
      await remove();
      throw new Error(`create ${plural}/${name}: ${r.status} ${JSON.stringify(r.body)}`);
    }
  }
  return remove;
}
