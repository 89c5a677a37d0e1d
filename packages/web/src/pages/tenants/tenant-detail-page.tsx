/**
 * One tenant (seed 000 "QA-Only-Control"): its identifier, description and creation time, and tabs for its
 * Resource Quotas (per cluster: total, allocated to partitions, used), its Members (its groups and who is in
 * them) and its Partition Stats (each partition's share and use). Tabs live in the URL.
 */
import { EditOutlined } from '@ant-design/icons';
import { Button, Descriptions, Space } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { useCan } from '../../api/can';
import { useObject, type Tenant } from '../../api/platform';
import { useWatch } from '../../api/watch';
import { ErrorState } from '../../components/error-state';
import { formatTime } from '../../components/format';
import { UrlTabs } from '../../components/url-tabs';
import { PageHeader } from '../../components/page-header';
import { DeleteTenantButton } from './tenant-actions';
import { TenantMembers } from './tenant-members';
import { TenantPartitionStats } from './tenant-partition-stats';
import { TenantQuotas } from './tenant-quotas';

export default function TenantDetailPage() {
  const { t } = useTranslation();
  const name = useParams().name ?? '';
  const tenant = useObject<Tenant>('tenants', name);
  const [mayList, mayEdit] = useCan([
    { verb: 'list', resource: 'tenants', scope: { level: 'platform' } },
    { verb: 'update', resource: 'tenants', scope: { level: 'tenant', name } },
  ]);
  useWatch(['management/tenants', 'management/partitions', 'management/groups']);
  if (tenant.error) return <ErrorState error={tenant.error} onRetry={() => void tenant.refetch()} />;
  const x = tenant.data;
  return (
    <>
      <PageHeader
        title={
          <Space>
            {mayList && <Link to="/tenants">{t('tenants.title')}</Link>}
            {mayList && '/'}
            <span data-testid="tenant-title">{x?.spec.displayName || name}</span>
          </Space>
        }
        extra={
          <Space>
            {mayEdit && (
              <Link to={`/tenants/${name}/edit`}>
                <Button icon={<EditOutlined />}>{t('common.edit')}</Button>
              </Link>
            )}
            <DeleteTenantButton tenant={name} />
          </Space>
        }
      />
      {x && (
        <Descriptions
          size="small"
          column={{ xs: 1, md: 3 }}
          style={{ marginBottom: 16 }}
          data-testid="tenant-overview"
        >
          <Descriptions.Item label={t('tenants.identifier')}>{x.metadata.name}</Descriptions.Item>
          <Descriptions.Item label={t('common.description')}>
            {x.spec.description || t('common.none')}
          </Descriptions.Item>
          <Descriptions.Item label={t('common.created')}>
            {formatTime(x.metadata.creationTimestamp)}
          </Descriptions.Item>
        </Descriptions>
      )}
      <UrlTabs
        defaultKey="quotas"
        items={[
          { key: 'quotas', label: t('tenantDetail.tabs.quotas'), children: <TenantQuotas tenant={name} /> },
          {
            key: 'members',
            label: t('tenantDetail.tabs.members'),
            children: <TenantMembers tenant={name} />,
          },
          {
            key: 'partitions',
            label: t('tenantDetail.tabs.partitions'),
            children: <TenantPartitionStats tenant={name} />,
          },
        ]}
      />
    </>
  );
}
