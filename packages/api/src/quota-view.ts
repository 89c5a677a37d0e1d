import type { Tenant } from './registry.js';

/**
 * GET /api/v1/tenants/{t}/quota: per cluster and resource the tenant's total, what its partitions are allocated
 * (in-flight reservations included, so `remaining` is what a new partition may still take) and what they use,
 * and each partition's share and use. Quantities are canonical ("2", "1500m", "8Gi").
 */
export type QuotaLine = {
  resource: string;
  total: string;
  allocated: string;
  remaining: string;
  used: string;
};
export type PartitionLine = { resource: string; allocated: string; used: string };
export type PartitionQuota = { name: string; namespace: string; resources: PartitionLine[] };
export type ClusterQuotaView = {
  cluster: string;
  resources: QuotaLine[];
  loadBalancer?: Tenant['spec']['clusters'][number]['loadBalancer'];
  partitions: PartitionQuota[];
};
export type TenantQuotaView = { tenant: string; clusters: ClusterQuotaView[] };
