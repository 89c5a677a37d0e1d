/**
 * The teams of a tenant, as Compass shipped them (seed 000): every new tenant gets one group per team, bound
 * to the team's template on the tenant (tenancy/tenant-teams.ts). The Default Team has everyone in the
 * tenant's other groups in it; the others start empty. Tenant admins may change the groups, or delete those they do not use.
 */
import { all, kubeEdit, kubeView, read, sy, tenantReads, type TemplateDef } from './kube-rules.js';

export type Team = { team: string; displayName: string; description: string; allMembers?: boolean };

export const teams: Team[] = [
  {
    team: 'default',
    displayName: 'Default Team',
    description: 'Default team for all members in a tenant',
    allMembers: true,
  },
  {
    team: 'sres',
    displayName: 'SREs',
    description: 'SREs have permissions of load balancers, operations, etc.',
  },
  {
    team: 'developers',
    displayName: 'Developers',
    description: 'Developers have permissions of the app center, etc.',
  },
  {
    team: 'resource',
    displayName: 'Resource',
    description: 'The resource team has permissions of allocating resources, etc.',
  },
  { team: 'support', displayName: 'Support', description: 'The support team has permissions of CI/CD, etc.' },
];

const workloads = ['deployments', 'statefulsets', 'daemonsets', 'replicasets'];
const scales = workloads.map((w) => `${w}/scale`);

export const teamTemplates: TemplateDef[] = [
  {
    name: 'team-default',
    displayName: 'Default Team',
    description:
      'Sees the tenant, its partitions and its teams. Rights inside partitions come from other teams and grants.',
    level: 'tenant',
    rules: tenantReads,
  },
  {
    name: 'team-sres',
    displayName: 'SREs',
    description:
      'Operations: services, ingresses and autoscalers; scales and restarts workloads; logs, exec and port-forward.',
    level: 'tenant',
    rules: [
      ...kubeView,
      { apiGroups: [''], resources: ['services', 'endpoints'], verbs: [...all, 'deletecollection'] },
      { apiGroups: [''], resources: ['pods'], verbs: ['delete', 'deletecollection'] },
      {
        apiGroups: [''],
        resources: ['pods/exec', 'pods/attach', 'pods/portforward'],
        verbs: ['get', 'create'],
      },
      { apiGroups: ['apps'], resources: [...workloads, ...scales], verbs: ['update', 'patch'] },
      { apiGroups: ['networking.k8s.io'], resources: ['ingresses'], verbs: all },
      { apiGroups: ['autoscaling'], resources: ['horizontalpodautoscalers'], verbs: all },
      { apiGroups: ['policy'], resources: ['poddisruptionbudgets'], verbs: all },
    ],
  },
  {
    name: 'team-developers',
    displayName: 'Developers',
    description: 'Applications: workloads, services, ingresses, config and secrets; logs and exec.',
    level: 'tenant',
    rules: kubeEdit,
  },
  {
    name: 'team-resource',
    displayName: 'Resource',
    description: "Allocates the tenant's quota: creates, resizes and deletes its partitions.",
    level: 'tenant',
    rules: [
      { apiGroups: [sy], resources: ['partitions'], verbs: all },
      {
        apiGroups: [''],
        resources: ['resourcequotas', 'limitranges', 'persistentvolumeclaims', 'pods'],
        verbs: read,
      },
    ],
  },
  {
    name: 'team-support',
    displayName: 'Support',
    description: 'CI/CD: rolls out workloads, jobs and their config; reads logs. No exec, no Secrets.',
    level: 'tenant',
    rules: [
      ...kubeView,
      { apiGroups: ['apps'], resources: [...workloads, ...scales], verbs: [...all, 'deletecollection'] },
      { apiGroups: ['batch'], resources: ['jobs', 'cronjobs'], verbs: [...all, 'deletecollection'] },
      { apiGroups: [''], resources: ['configmaps', 'services'], verbs: [...all, 'deletecollection'] },
    ],
  },
];
