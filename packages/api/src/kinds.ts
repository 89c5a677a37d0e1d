import { z } from 'zod';
import { scopeLevels } from './kind-meta.js';
import { conditions, dnsLabel, hardList, portRange, userName } from './meta.js';

const displayName = z.string().max(128);
const description = z.string().max(2048);

export const clusterSpec = z.strictObject({
  displayName: displayName.optional(),
  description: description.optional(),
  /** How the server reaches the cluster: its agent's tunnel, or a kubeconfig kept in a Secret. */
  connection: z
    .strictObject({
      mode: z.enum(['agent', 'direct']),
      kubeconfigSecret: dnsLabel.optional(),
    })
    .optional(),
  /** L4 load-balancer ports tenants may be given on this cluster. */
  l4PortPool: portRange.optional(),
});
export const clusterStatus = z.object({
  conditions: conditions.optional(),
  kubernetesVersion: z.string().optional(),
  nodes: z.object({ total: z.number().int(), ready: z.number().int() }).optional(),
  capacity: hardList.optional(),
  allocatable: hardList.optional(),
  agent: z.object({ connected: z.boolean(), lastSeen: z.string().optional() }).optional(),
});

export const tenantSpec = z.strictObject({
  displayName: displayName.optional(),
  description: description.optional(),
  clusters: z
    .array(
      z.strictObject({
        cluster: dnsLabel,
        hard: hardList,
        loadBalancer: z
          .strictObject({ l4PortRange: portRange.optional(), l7: z.boolean().optional() })
          .optional(),
      }),
    )
    .default([]),
});
/**
 * One partition's share in its tenant's quota ledger (Tenant status.reservations, keyed by partition name).
 * It is written with the Tenant's resourceVersion before the Partition is, so that replicas admitting
 * partitions at once never oversubscribe the tenant: the ledger, not a cache, is what admission sums.
 */
export const quotaReservation = z.object({
  cluster: dnsLabel,
  namespace: dnsLabel,
  hard: hardList,
  /** Which write made it: a write that fails takes back only its own reservation. */
  id: z.string().max(64),
  /** When it was written: the leader repairs an entry that disagrees with its partition only after a grace period. */
  at: z.string(),
});
export const tenantStatus = z.object({
  conditions: conditions.optional(),
  /** Per cluster: the quota (spec), what the ledger allocates to partitions, what they use. */
  clusters: z
    .array(z.object({ cluster: dnsLabel, hard: hardList, allocated: hardList, used: hardList }))
    .optional(),
  reservations: z.record(dnsLabel, quotaReservation).optional(),
});

export const networkRule = z.strictObject({
  direction: z.enum(['In', 'Out']),
  partition: dnsLabel.optional(),
  cidr: z
    .string()
    .regex(/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/, 'must be an IPv4 CIDR such as 10.0.0.0/8')
    .optional(),
  protocol: z.enum(['TCP', 'UDP', 'SCTP']).default('TCP'),
  ports: portRange.optional(),
});
export const partitionSpec = z.strictObject({
  tenant: dnsLabel,
  cluster: dnsLabel,
  namespace: dnsLabel.optional(),
  displayName: displayName.optional(),
  description: description.optional(),
  hard: hardList.default({}),
  networkPolicy: z.strictObject({ rules: z.array(networkRule).default([]) }).optional(),
  /** Take over a namespace that exists and that Shipyard did not make: set by a system admin only. */
  adopt: z.boolean().optional(),
  /** The Pod Security level the namespace enforces (baseline when unset); privileged by a system admin only. */
  podSecurity: z.enum(['baseline', 'restricted', 'privileged']).optional(),
});
export const partitionStatus = z.object({
  conditions: conditions.optional(),
  namespace: z.string().optional(),
  hard: hardList.optional(),
  used: hardList.optional(),
});

export const userSpec = z.strictObject({
  displayName: displayName.optional(),
  email: z.string().max(254).optional(),
  disabled: z.boolean().default(false),
  /** Where the user signs in: a local password, or an external provider. */
  source: z.enum(['local', 'ldap', 'oidc']).default('local'),
});
/** A password is accepted on create and update, stored hashed in a Secret, never in the User or a response. */
export const userInputSpec = userSpec.extend({ password: z.string().max(1024).optional() });
export const userStatus = z.object({
  conditions: conditions.optional(),
  lastLogin: z.string().optional(),
  failedLogins: z.number().int().optional(),
  lockedUntil: z.string().optional(),
});

export const groupSpec = z.strictObject({
  /** The tenant whose team this is; a group without one is a platform group. */
  tenant: dnsLabel.optional(),
  displayName: displayName.optional(),
  description: description.optional(),
  members: z.array(userName).default([]),
  /** Every member of the tenant's other groups is in this one (its Default Team); it lists no `members`. */
  allMembers: z.boolean().optional(),
});
export const groupStatus = z.object({ conditions: conditions.optional() });

export const levels = scopeLevels;
export const level = z.enum(levels);
export type Level = z.infer<typeof level>;

export const policyRule = z.strictObject({
  apiGroups: z.array(z.string()).min(1),
  resources: z.array(z.string()).min(1),
  verbs: z.array(z.string()).min(1),
  resourceNames: z.array(z.string()).optional(),
});
export type PolicyRule = z.infer<typeof policyRule>;

export const roleTemplateSpec = z.strictObject({
  displayName: displayName.optional(),
  description: description.optional(),
  level,
  /** Kubernetes-style rules: shipyard.dev resources are enforced by the server, others by the clusters' RBAC. */
  rules: z.array(policyRule).default([]),
  builtin: z.boolean().optional(),
});
export const roleTemplateStatus = z.object({ conditions: conditions.optional() });

export const subject = z.strictObject({ kind: z.enum(['User', 'Group']), name: userName });
export type Subject = z.infer<typeof subject>;
export const scope = z.strictObject({ level, name: dnsLabel.optional() });
export type Scope = z.infer<typeof scope>;
export const roleTemplateBindingSpec = z.strictObject({ subject, roleTemplate: dnsLabel, scope });
export const roleTemplateBindingStatus = z.object({ conditions: conditions.optional() });
