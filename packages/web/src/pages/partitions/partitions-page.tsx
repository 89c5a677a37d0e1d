/**
 * APPLICATION / Partitions: the chosen tenant's partitions (a namespace on one cluster with its share of the
 * tenant's quota), their state, share and use. Create, resize and delete from here.
 */
import { PieChartOutlined, PlusOutlined } from '@ant-design/icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { App, Button, Empty, Space, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { tenantScope, useWrites } from '../../api/can';
import { api, enc } from '../../api/client';
import { sources, type Partition } from '../../api/platform';
import { useTenant } from '../../api/tenant-choice';
import { formatTime } from '../../components/format';
import { ConfirmButton } from '../../components/confirm-button';
import { PageHeader } from '../../components/page-header';
import { ResourceTable, type ColumnDef } from '../../components/resource-table';
import { namespaceOf, PartitionReady, PartitionUse } from './partition-status';

export default function PartitionsPage() {
  const { t } = useTranslation();
  const { tenant } = useTenant();
  const may = useWrites('partitions', tenantScope(tenant));
  const { message } = App.useApp();
  const qc = useQueryClient();
  const remove = useMutation({
    mutationFn: (p: Partition) => api.del(`/api/v1/partitions/${enc(p.metadata.name)}`),
    onSuccess: (_r, p) => void message.success(t('partitions.deleted', { name: p.metadata.name })),
    onError: (err) => void message.error(err.message),
    onSettled: () => qc.invalidateQueries({ queryKey: ['management'] }),
  });
  if (!tenant) return <Empty description={t('tenantSwitch.chooseFirst')} />;
  const columns: ColumnDef<Partition>[] = [
    {
      key: 'name',
      title: t('common.name'),
      sortPath: 'metadata.name',
      render: (p) => (
        <Space orientation="vertical" size={0}>
          <Link to={`/partitions/${p.metadata.name}`}>{p.metadata.name}</Link>
          {p.spec.displayName && <Typography.Text type="secondary">{p.spec.displayName}</Typography.Text>}
        </Space>
      ),
    },
    { key: 'status', title: t('common.status'), render: (p) => <PartitionReady partition={p} /> },
    { key: 'cluster', title: t('tenants.cluster'), sortPath: 'spec.cluster', render: (p) => p.spec.cluster },
    { key: 'namespace', title: t('partitions.namespace'), render: namespaceOf },
    { key: 'use', title: t('partitions.shareAndUse'), render: (p) => <PartitionUse partition={p} /> },
    {
      key: 'created',
      title: t('common.created'),
      sortPath: 'metadata.creationTimestamp',
      render: (p) => formatTime(p.metadata.creationTimestamp),
    },
  ];
  if (may.update || may.delete) {
    columns.push({
      key: 'actions',
      title: t('common.actions'),
      render: (p) => (
        <Space>
          {may.update && (
            <Link to={`/partitions/${p.metadata.name}/edit`}>
              <Button size="small">{t('partitions.resize')}</Button>
            </Link>
          )}
          {may.delete && (
            <ConfirmButton
              question={t('partitions.deleteConfirm', { name: p.metadata.name })}
              action={t('common.delete')}
              onConfirm={() => remove.mutateAsync(p)}
            />
          )}
        </Space>
      ),
    });
  }
  return (
    <>
      <PageHeader
        title={t('partitions.title')}
        extra={
          <Space>
            <Link to={`/tenants/${tenant}`}>
              <Button icon={<PieChartOutlined />}>{t('partitions.tenantQuota')}</Button>
            </Link>
            {may.create && (
              <Link to="/partitions/~new">
                <Button type="primary" icon={<PlusOutlined />}>
                  {t('partitions.create')}
                </Button>
              </Link>
            )}
          </Space>
        }
      />
      <ResourceTable<Partition>
        key={tenant}
        testId="partitions-table"
        source={sources.partitions}
        baseFilter={`spec.tenant=${tenant}`}
        columns={columns}
        rowKey={(p) => p.metadata.name}
        search
        emptyText={t('partitions.empty')}
      />
    </>
  );
}
