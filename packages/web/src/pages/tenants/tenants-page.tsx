/** The tenants (system admin): each with its clusters; create one, or open one for its quotas and members. */
import { PlusOutlined } from '@ant-design/icons';
import { Button, Space, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { useCanDo } from '../../api/can';
import { sources, type Tenant } from '../../api/platform';
import { formatTime } from '../../components/format';
import { PageHeader } from '../../components/page-header';
import { ResourceTable, type ColumnDef } from '../../components/resource-table';

export default function TenantsPage() {
  const { t } = useTranslation();
  const mayCreate = useCanDo('create', 'tenants', { level: 'platform' });
  const columns: ColumnDef<Tenant>[] = [
    {
      key: 'name',
      title: t('common.name'),
      sortPath: 'metadata.name',
      render: (x) => (
        <Space orientation="vertical" size={0}>
          <Link to={`/tenants/${x.metadata.name}`}>{x.metadata.name}</Link>
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
      <PageHeader
        title={t('tenants.title')}
        extra={
          mayCreate && (
            <Link to="/tenants/~new">
              <Button type="primary" icon={<PlusOutlined />}>
                {t('tenants.create')}
              </Button>
            </Link>
          )
        }
      />
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
