/**
 * A tenant's quota as GET /api/v1/tenants/{t}/quota answers it (server tenancy/quota-view.ts; the web may not
 * import the server, so the shape is repeated here): per cluster and resource the total, what partitions are
 * allocated (in-flight reservations included: `remaining` is what a new partition may still take), what they
 * use, and each partition's share and use. Quantities are canonical ("2", "1500m", "8Gi").
 */
import { useQuery } from '@tanstack/react-query';
import type { Tenant } from '@shipyard/api';
import { api, enc } from './client';

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

/**
 * The quota view. Its key sits under `management/tenants`, so a change of the tenant (its ledger: a partition
 * made, resized or deleted) refetches it over the watch channel; what partitions use changes in their status,
 * not the tenant's, hence the polling too.
 */
export function useTenantQuota(tenant: string | undefined) {
  return useQuery({
    queryKey: ['management', 'tenants', 'quota', tenant],
    queryFn: ({ signal }) =>
      api.get<TenantQuotaView>(`/api/v1/tenants/${enc(tenant ?? '')}/quota`, undefined, signal),
    enabled: !!tenant,
    refetchInterval: 15_000,
  });
}
