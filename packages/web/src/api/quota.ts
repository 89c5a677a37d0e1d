/**
 * A tenant's quota as GET /api/v1/tenants/{t}/quota answers it (its shape is the API package's): per cluster and resource the total, what partitions are
 * allocated (in-flight reservations included: `remaining` is what a new partition may still take), what they
 * use, and each partition's share and use. Quantities are canonical ("2", "1500m", "8Gi").
 */
import type { TenantQuotaView } from '@shipyard/api';
import { useQuery } from '@tanstack/react-query';
import { api, enc } from './client';

export type { ClusterQuotaView, PartitionLine, QuotaLine, TenantQuotaView } from '@shipyard/api';

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
