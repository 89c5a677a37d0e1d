import { Space, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { sources, type Tenant } from '../../api/platform';
import { formatTime } from '../../components/format';
import { PageHeader } from '../../components/page-header';
import { ResourceTable, type ColumnDef } from '../../components/resource-table';

/** The tenants (list only: detail, quotas and members come with the tenant pages). */
export default function TenantsPage() {
  const { t } = useTranslation();
  const columns: ColumnDef<Tenant>[] = [
    {
      key: 'name',
      title: t('common.name'),
      sortPath: 'metadata.name',
      render: (x) => (
        <Space orientation="vertical" size={0}>
          <span>{x.metadata.name}</span>
          {x.spec.displayName && <Typography.Text type="secondary">{x.spec.displayName}</Typography.Text>}
        </Space>
      ),
    },
    { key: 'description', title: t('common.description'), ellipsis: true, render: (x) => x.spec.description },
    {
      key: 'clusters',
      title: t('tenants.clusters'),
      render: (x) => x.spec.clusters.map((c) => <Tag key={c.cluster}>{c.cluster}</Tag>),
    },
    {
      key: 'created',
      title: t('common.created'),
      sortPath: 'metadata.creationTimestamp',
      render: (x) => formatTime(x.metadata.creationTimestamp),
    },
  ];
  return (
    <>
      <PageHeader title={t('tenants.title')} />
      <ResourceTable<Tenant>
        testId="tenants-table"
        source={sources.tenants}
        columns={columns}
        rowKey={(x) => x.metadata.name}
        search
        emptyText={t('tenants.empty')}
      />
    </>
  );
}
