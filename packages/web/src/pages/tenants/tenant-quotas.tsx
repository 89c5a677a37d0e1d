/**
 * A tenant's Resource Quotas tab (seed 000): per cluster, each resource's total, what partitions are allocated
 * and what they use (one bar: used within allocated within total), volumes per storage class as "2 / 5" and
 * "10 / 30 GiB", and load balancing. From GET /api/v1/tenants/{t}/quota.
 */
import { Card, Descriptions, Empty, Progress, Space, Spin, Table, Tag, Tooltip } from 'antd';
import { useStorageClasses } from '../../api/platform';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { useTenantQuota, type ClusterQuotaView, type QuotaLine } from '../../api/quota';
import { ErrorState } from '../../components/error-state';
import { byResourceOrder, formatAmounts, percentOf, resourceLabel, storageClassOf } from './resources';

export function TenantQuotas({ tenant }: { tenant: string }) {
  const { t } = useTranslation();
  const quota = useTenantQuota(tenant);
  if (quota.error) return <ErrorState compact error={quota.error} onRetry={() => void quota.refetch()} />;
  if (!quota.data) return <Spin />;
  if (quota.data.clusters.length === 0) return <Empty description={t('tenantDetail.noQuota')} />;
  return (
    <div data-testid="tenant-quotas">
      {quota.data.clusters.map((c) => (
        <ClusterQuota key={c.cluster} view={c} />
      ))}
    </div>
  );
}

/** Used within allocated within total, as one bar, with the figures in its tooltip. */
export function UsageBar({ t, line }: { t: TFunction; line: QuotaLine }) {
  const allocated = percentOf(line.allocated, line.total);
  const used = percentOf(line.used, line.total);
  return (
    <Tooltip
      title={`${t('quota.used')} ${formatAmounts(t, line.resource, [line.used])} · ${t('quota.allocated')} ${formatAmounts(t, line.resource, [line.allocated])} · ${t('quota.total')} ${formatAmounts(t, line.resource, [line.total])}`}
    >
      <Progress
        percent={allocated}
        success={{ percent: used }}
        size="small"
        style={{ width: 160, margin: 0 }}
      />
    </Tooltip>
  );
}

function ClusterQuota({ view }: { view: ClusterQuotaView }) {
  const { t } = useTranslation();
  const compute = view.resources
    .filter((r) => !storageClassOf(r.resource))
    .sort((a, b) => byResourceOrder(a.resource, b.resource));
  const classes = new Map<string, { count?: QuotaLine; capacity?: QuotaLine }>();
  for (const r of view.resources) {
    const sc = storageClassOf(r.resource);
    if (!sc) continue;
    classes.set(sc.storageClass, { ...classes.get(sc.storageClass), [sc.what]: r });
  }
  // A class the cluster lacks cannot be used there: flagged (when the cluster's classes are known).
  const clusterClasses = useStorageClasses(view.cluster);
  const lb = view.loadBalancer;
  const pair = (line: QuotaLine | undefined, of: 'allocated' | 'used') =>
    line ? formatAmounts(t, line.resource, [line[of], line.total]) : t('common.none');
  return (
    <Card
      size="small"
      title={`${t('tenants.cluster')}: ${view.cluster}`}
      style={{ marginBottom: 16 }}
      data-testid={`quota-cluster-${view.cluster}`}
    >
      <Table<QuotaLine>
        data-testid="quota-compute"
        size="small"
        pagination={false}
        rowKey="resource"
        dataSource={compute}
        columns={[
          { key: 'resource', title: t('quota.resource'), render: (_, r) => resourceLabel(t, r.resource) },
          {
            key: 'allocated',
            title: t('quota.allocatedOfTotal'),
            render: (_, r) => formatAmounts(t, r.resource, [r.allocated, r.total]),
          },
          {
            key: 'used',
            title: t('quota.usedOfTotal'),
            render: (_, r) => formatAmounts(t, r.resource, [r.used, r.total]),
          },
          {
            key: 'remaining',
            title: t('quota.remaining'),
            render: (_, r) => formatAmounts(t, r.resource, [r.remaining]),
          },
          { key: 'bar', title: '', render: (_, r) => <UsageBar t={t} line={r} /> },
        ]}
      />
      {classes.size > 0 && (
        <Table
          data-testid="quota-volumes"
          style={{ marginTop: 16 }}
          size="small"
          pagination={false}
          rowKey="storageClass"
          dataSource={[...classes].map(([storageClass, v]) => ({ storageClass, ...v }))}
          columns={[
            {
              key: 'class',
              title: t('quota.storageClass'),
              render: (_, r) => (
                <Space>
                  {r.storageClass}
                  {clusterClasses && !clusterClasses.includes(r.storageClass) && (
                    <Tooltip title={t('quota.classMissingHelp', { cluster: view.cluster })}>
                      <Tag color="warning" data-testid={`class-missing-${r.storageClass}`}>
                        {t('quota.classMissing')}
                      </Tag>
                    </Tooltip>
                  )}
                </Space>
              ),
            },
            {
              key: 'count',
              title: t('quota.volumeCountAllocated'),
              render: (_, r) => pair(r.count, 'allocated'),
            },
            {
              key: 'capacity',
              title: t('quota.volumeCapacityAllocated'),
              render: (_, r) => pair(r.capacity, 'allocated'),
            },
            {
              key: 'used',
              title: t('quota.usedOfTotal'),
              render: (_, r) => `${pair(r.count, 'used')} · ${pair(r.capacity, 'used')}`,
            },
          ]}
        />
      )}
      <Descriptions size="small" style={{ marginTop: 16 }} title={t('quota.loadBalancing')} column={3}>
        <Descriptions.Item label={t('quota.l7')}>
          <Tag color={lb?.l7 ? 'success' : 'default'}>{lb?.l7 ? t('common.on') : t('common.off')}</Tag>
        </Descriptions.Item>
        <Descriptions.Item label={t('quota.l4')}>
          <Tag color={lb?.l4PortRange ? 'success' : 'default'}>
            {lb?.l4PortRange ? t('common.on') : t('common.off')}
          </Tag>
        </Descriptions.Item>
        <Descriptions.Item label={t('quota.l4Range')}>
          {lb?.l4PortRange?.replace('-', ' – ') ?? t('common.none')}
        </Descriptions.Item>
      </Descriptions>
    </Card>
  );
}
