/**
 * A tenant's quota as GET /api/v1/tenants/{t}/quota answers it (its shape is the API package's): per cluster and resource the total, what partitions are
 * allocated (in-flight reservations included: `remaining` is what a new partition may still take), what they
 * use, and each partition's share and use. Quantities are canonical ("2", "1500m", "8Gi").
 */
import type { TenantQuotaView } from '@shipyard/api';
import { useQuery } from '@tanstack/react-query';
import { api, enc } from './client';
import { useWatch } from './watch';

export type { ClusterQuotaView, PartitionLine, QuotaLine, TenantQuotaView } from '@shipyard/api';

/**
 * The quota view, live: its key sits under `management/tenants`, so a change of the tenant (its quota, its
 * ledger) refetches it, and a partition's change does too (watch.tsx: derived views), which is where what
 * partitions use moves.
 */
export function useTenantQuota(tenant: string | undefined) {
  useWatch(['management/tenants', 'management/partitions']);
  return useQuery({
    queryKey: ['management', 'tenants', 'quota', tenant],
    queryFn: ({ signal }) =>
      api.get<TenantQuotaView>(`/api/v1/tenants/${enc(tenant ?? '')}/quota`, undefined, signal),
    enabled: !!tenant,
  });
}
