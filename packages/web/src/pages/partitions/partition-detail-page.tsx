/**
 * One partition: where it is (tenant, cluster, namespace), whether the controller made it Ready, its share of
 * the tenant's quota and what it uses, and its network policy (seed 001's editor). Resize and delete here.
 */
import { DeleteOutlined, EditOutlined } from '@ant-design/icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { App, Button, Descriptions, Space } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router';
import { tenantScope, useWrites } from '../../api/can';
import { api, enc } from '../../api/client';
import { readyCondition, useObject, type Partition } from '../../api/platform';
import { useWatch } from '../../api/watch';
import { ErrorState } from '../../components/error-state';
import { formatTime } from '../../components/format';
import { ConfirmButton } from '../../components/confirm-button';
import { UrlTabs } from '../../components/url-tabs';
import { PageHeader } from '../../components/page-header';
import { NetworkPolicyEditor } from './network-policy-editor';
import { namespaceOf, PartitionReady, PartitionUse } from './partition-status';

export default function PartitionDetailPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const name = useParams().name ?? '';
  const navigate = useNavigate();
  const qc = useQueryClient();
  const partition = useObject<Partition>('partitions', name);
  const may = useWrites('partitions', tenantScope(partition.data?.spec.tenant));
  useWatch(['management/partitions']);
  const remove = useMutation({
    mutationFn: () => api.del(`/api/v1/partitions/${enc(name)}`),
    onSuccess: () => {
      void message.success(t('partitions.deleted', { name }));
      void navigate('/partitions');
    },
    onError: (err) => void message.error(err.message),
    onSettled: () => qc.invalidateQueries({ queryKey: ['management'] }),
  });
  if (partition.error) return <ErrorState error={partition.error} onRetry={() => void partition.refetch()} />;
  const p = partition.data;
  const ready = p && readyCondition(p);
  return (
    <>
      <PageHeader
        title={
          <Space>
            <Link to="/partitions">{t('partitions.title')}</Link>/<span>{p?.spec.displayName || name}</span>
          </Space>
        }
        extra={
          <Space>
            {may.update && (
              <Link to={`/partitions/${name}/edit`}>
                <Button icon={<EditOutlined />}>{t('partitions.resize')}</Button>
              </Link>
            )}
            {may.delete && (
              <ConfirmButton
                question={t('partitions.deleteConfirm', { name })}
                action={t('common.delete')}
                onConfirm={() => remove.mutateAsync()}
                size="middle"
                icon={<DeleteOutlined />}
                loading={remove.isPending}
              />
            )}
          </Space>
        }
      />
      {p && (
        <>
          <Descriptions
            size="small"
            column={{ xs: 1, md: 2, xl: 3 }}
            style={{ marginBottom: 16 }}
            data-testid="partition-overview"
          >
            <Descriptions.Item label={t('common.status')}>
              <span data-testid="partition-ready">
                <PartitionReady partition={p} />
              </span>
            </Descriptions.Item>
            <Descriptions.Item label={t('groups.tenant')}>
              <Link to={`/tenants/${p.spec.tenant}`}>{p.spec.tenant}</Link>
            </Descriptions.Item>
            <Descriptions.Item label={t('tenants.cluster')}>{p.spec.cluster}</Descriptions.Item>
            <Descriptions.Item label={t('partitions.namespace')}>{namespaceOf(p)}</Descriptions.Item>
            <Descriptions.Item label={t('common.created')}>
              {formatTime(p.metadata.creationTimestamp)}
            </Descriptions.Item>
            {ready?.status !== 'True' && ready?.message && (
              <Descriptions.Item label={t('partitions.why')}>{ready.message}</Descriptions.Item>
            )}
            {p.spec.description && (
              <Descriptions.Item label={t('common.description')} span={3}>
                {p.spec.description}
              </Descriptions.Item>
            )}
          </Descriptions>
          <UrlTabs
            defaultKey="quota"
            items={[
              {
                key: 'quota',
                label: t('partitions.tabs.quota'),
                children: <PartitionUse partition={p} />,
              },
              {
                key: 'network',
                label: t('partitions.tabs.network'),
                children: <NetworkPolicyEditor partition={p} />,
              },
            ]}
          />
        </>
      )}
    </>
  );
}
