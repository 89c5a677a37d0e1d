import type { Level, PolicyRule } from '@shipyard/api';

/** A role template the platform ships (bootstrap.ts applies them; no one may change them). */
export type TemplateDef = {
  name: string;
  displayName: string;
  description: string;
  level: Level;
  rules: PolicyRule[];
};

/** The Kubernetes rules templates are made of, as in Kubernetes' own view/edit/admin ClusterRoles. */
export const sy = 'shipyard.dev';
export const read = ['get', 'list', 'watch'];
export const write = ['create', 'update', 'patch', 'delete'];
export const all = [...read, ...write];

/** What every Kubernetes "view" covers: read access to workloads and config, never Secrets. */
export const kubeView: PolicyRule[] = [
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
export const kubeEdit: PolicyRule[] = [
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
export const kubeAdmin: PolicyRule[] = [
  ...kubeEdit,
  { apiGroups: ['rbac.authorization.k8s.io'], resources: ['roles', 'rolebindings'], verbs: all },
];

/** What every member of a tenant sees on the platform: the tenant, its partitions and teams, users, templates. */
export const tenantReads: PolicyRule[] = [
  { apiGroups: [sy], resources: ['tenants', 'partitions', 'groups'], verbs: read },
  { apiGroups: [sy], resources: ['users', 'roletemplates'], verbs: read },
];
