import { all, kubeAdmin, kubeEdit, kubeView, read, sy, tenantReads, type TemplateDef } from './kube-rules.js';
import { teamTemplates } from './team-templates.js';

/**
 * Rules on platform objects name the group shipyard.dev: a `*` group means every Kubernetes group of the
 * clusters (where these templates become ClusterRoles), never the platform's own objects. None below the
 * platform carries `bind` on roletemplates: who grants a template there must hold all of it (Access.mayBind).
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
      ...kubeAdmin,
    ],
  },
  {
    name: 'tenant-member',
    displayName: 'Tenant member',
    description: 'Sees the tenant, its partitions and its teams.',
    level: 'tenant',
    rules: tenantReads,
  },
  {
    name: 'partition-owner',
    displayName: 'Partition owner',
    description: 'Owns one partition: its settings, its members and everything in its namespace.',
    level: 'partition',
    rules: [
      { apiGroups: [sy], resources: ['partitions'], verbs: [...read, 'update', 'patch'] },
      { apiGroups: [sy], resources: ['roletemplatebindings'], verbs: all },
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
  ...teamTemplates,
];
