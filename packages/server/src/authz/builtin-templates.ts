import type { Level, PolicyRule } from '@shipyard/api';

export type TemplateDef = {
  name: string;
  displayName: string;
  description: string;
  level: Level;
  rules: PolicyRule[];
};

const sy = 'shipyard.dev';
const read = ['get', 'list', 'watch'];
const write = ['create', 'update', 'patch', 'delete'];
const all = [...read, ...write];

/** What every Kubernetes "view" covers: read access to workloads and config, never Secrets. */
const kubeView: PolicyRule[] = [
  {
    apiGroups: [''],
    resources: [
      'pods',
      'pods/log',
      'pods/status',
      'services',
      'endpoints',
      'configmaps',
      'events',
      'persistentvolumeclaims',
      'replicationcontrollers',
      'resourcequotas',
      'limitranges',
      'serviceaccounts',
    ],
    verbs: read,
  },
  {
    apiGroups: ['apps', 'batch', 'autoscaling', 'policy', 'networking.k8s.io', 'discovery.k8s.io'],
    resources: ['*'],
    verbs: read,
  },
  { apiGroups: ['events.k8s.io'], resources: ['events'], verbs: read },
];

/** "edit": change workloads, config and secrets; not quotas, limit ranges, network policies or RBAC. */
const kubeEdit: PolicyRule[] = [
  ...kubeView,
  {
    apiGroups: [''],
    resources: [
      'pods',
      'pods/exec',
      'pods/attach',
      'pods/portforward',
      'pods/eviction',
      'services',
      'endpoints',
      'configmaps',
      'secrets',
      'persistentvolumeclaims',
      'replicationcontrollers',
      'serviceaccounts',
    ],
    verbs: [...all, 'deletecollection'],
  },
  {
    apiGroups: ['apps', 'batch', 'autoscaling', 'policy'],
    resources: ['*'],
    verbs: [...all, 'deletecollection'],
  },
  { apiGroups: ['networking.k8s.io'], resources: ['ingresses'], verbs: [...all, 'deletecollection'] },
];

/** "admin" of a namespace: edit plus its roles and bindings (never its quota: the platform owns that). */
const kubeAdmin: PolicyRule[] = [
  ...kubeEdit,
  { apiGroups: ['rbac.authorization.k8s.io'], resources: ['roles', 'rolebindings'], verbs: all },
];

/**
 * Rules on platform objects name the group shipyard.dev: a `*` group means every Kubernetes group of the
 * clusters (where these templates become ClusterRoles), never the platform's own objects.
 */
export const builtinTemplates: TemplateDef[] = [
  {
    name: 'platform-admin',
    displayName: 'Platform administrator',
    description: 'Everything, everywhere.',
    level: 'platform',
    rules: [
      { apiGroups: [sy], resources: ['*'], verbs: ['*'] },
      { apiGroups: ['*'], resources: ['*'], verbs: ['*'] },
    ],
  },
  {
    name: 'cluster-admin',
    displayName: 'Cluster administrator',
    description: 'Manages one cluster, its partitions and everything inside it.',
    level: 'cluster',
    rules: [
      { apiGroups: [sy], resources: ['clusters'], verbs: [...read, 'update', 'patch'] },
      { apiGroups: [sy], resources: ['partitions', 'roletemplatebindings'], verbs: all },
      { apiGroups: [sy], resources: ['roletemplates'], verbs: ['bind'] },
      { apiGroups: [sy], resources: ['auditevents'], verbs: ['list'] },
      { apiGroups: ['*'], resources: ['*'], verbs: ['*'] },
    ],
  },
  {
    name: 'cluster-viewer',
    displayName: 'Cluster viewer',
    description: 'Sees one cluster, its nodes and its partitions.',
    level: 'cluster',
    rules: [
      { apiGroups: [sy], resources: ['clusters', 'partitions'], verbs: read },
      { apiGroups: [''], resources: ['nodes', 'namespaces', 'persistentvolumes'], verbs: read },
      { apiGroups: ['storage.k8s.io'], resources: ['*'], verbs: read },
      ...kubeView,
    ],
  },
  {
    name: 'tenant-admin',
    displayName: 'Tenant administrator',
    description: "Carves the tenant's quota into partitions, makes teams and grants them permissions.",
    level: 'tenant',
    rules: [
      { apiGroups: [sy], resources: ['tenants'], verbs: read },
      { apiGroups: [sy], resources: ['partitions', 'groups', 'roletemplatebindings'], verbs: all },
      { apiGroups: [sy], resources: ['users', 'roletemplates'], verbs: read },
      { apiGroups: [sy], resources: ['roletemplates'], verbs: ['bind'] },
      ...kubeAdmin,
    ],
  },
  {
    name: 'tenant-member',
    displayName: 'Tenant member',
    description: 'Sees the tenant, its partitions and its teams.',
    level: 'tenant',
    rules: [
      { apiGroups: [sy], resources: ['tenants', 'partitions', 'groups'], verbs: read },
      { apiGroups: [sy], resources: ['users', 'roletemplates'], verbs: read },
    ],
  },
  {
    name: 'partition-owner',
    displayName: 'Partition owner',
    description: 'Owns one partition: its settings, its members and everything in its namespace.',
    level: 'partition',
    rules: [
      { apiGroups: [sy], resources: ['partitions'], verbs: [...read, 'update', 'patch'] },
      { apiGroups: [sy], resources: ['roletemplatebindings'], verbs: all },
      { apiGroups: [sy], resources: ['roletemplates'], verbs: ['bind'] },
      ...kubeAdmin,
    ],
  },
  {
    name: 'partition-editor',
    displayName: 'Partition editor',
    description: 'Deploys and changes applications in one partition.',
    level: 'partition',
    rules: [{ apiGroups: [sy], resources: ['partitions'], verbs: read }, ...kubeEdit],
  },
  {
    name: 'partition-viewer',
    displayName: 'Partition viewer',
    description: 'Sees applications in one partition; no secrets.',
    level: 'partition',
    rules: [{ apiGroups: [sy], resources: ['partitions'], verbs: read }, ...kubeView],
  },
];
