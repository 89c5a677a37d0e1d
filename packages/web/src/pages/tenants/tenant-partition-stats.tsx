/**
 * A tenant's Partition Stats tab: each partition's share of the tenant's quota on its cluster (what it is
 * allocated, and how much of the tenant's total that is) and what it uses of its share. From the quota view.
 */
import { Empty, Progress, Space, Spin, Table, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { useTenantQuota, type PartitionLine } from '../../api/quota';
import { ErrorState } from '../../components/error-state';
import { byResourceOrder, formatAmounts, percentOf, resourceLabel } from './resources';

type Row = {
  name: string;
  namespace: string;
  cluster: string;
  lines: (PartitionLine & { total?: string })[];
};

export function TenantPartitionStats({ tenant }: { tenant: string }) {
  const { t } = useTranslation();
  const quota = useTenantQuota(tenant);
  if (quota.error) return <ErrorState compact error={quota.error} onRetry={() => void quota.refetch()} />;
  if (!quota.data) return <Spin />;
  const rows: Row[] = quota.data.clusters.flatMap((c) =>
    c.partitions.map((p) => ({
      name: p.name,
      namespace: p.namespace,
      cluster: c.cluster,
      lines: [...p.resources]
        .sort((a, b) => byResourceOrder(a.resource, b.resource))
        .map((r) => ({
          ...r,
          total: c.resources.find((x) => x.resource === r.resource)?.total,
        })),
    })),
  );
  if (rows.length === 0) return <Empty description={t('partitions.empty')} />;
  return (
    <Table<Row>
      data-testid="partition-stats"
      size="small"
      rowKey="name"
      dataSource={rows}
      pagination={rows.length > 20 ? { pageSize: 20 } : false}
      columns={[
        {
          key: 'name',
          title: t('common.name'),
          render: (_, r) => <Link to={`/partitions/${r.name}`}>{r.name}</Link>,
        },
        { key: 'cluster', title: t('tenants.cluster'), render: (_, r) => r.cluster },
        { key: 'namespace', title: t('partitions.namespace'), render: (_, r) => r.namespace },
        {
          key: 'share',
          title: t('partitions.shareOfTenant'),
          render: (_, r) => (
            <Space orientation="vertical" size={0}>
              {r.lines.map((l) => (
                <Typography.Text key={l.resource}>
                  {resourceLabel(t, l.resource)}: {formatAmounts(t, l.resource, [l.allocated, l.total])} (
                  {percentOf(l.allocated, l.total)}%)
                </Typography.Text>
              ))}
            </Space>
          ),
        },
        {
          key: 'use',
          title: t('partitions.useOfShare'),
          render: (_, r) => (
            <Space orientation="vertical" size={0}>
              {r.lines.map((l) => (
                <Space key={l.resource} size={8}>
                  <Progress
                    percent={percentOf(l.used, l.allocated)}
                    size="small"
                    style={{ width: 120, margin: 0 }}
                  />
                  <Typography.Text type="secondary">
                    {formatAmounts(t, l.resource, [l.used, l.allocated])}
                  </Typography.Text>
                </Space>
              ))}
            </Space>
          ),
        },
      ]}
    />
  );
}
