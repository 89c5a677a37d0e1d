/**
 * One cluster: what the platform knows of it (status, conditions, capacity) and what its own API server has
 * (nodes, events). A cluster that cannot be reached still shows its page: each tab says why it has no data.
 */
import { Button, Descriptions, Space, Table, Tag, Tooltip, Typography } from 'antd';
import { DownloadOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import type { KubeEvent, KubeNode } from '../../api/kube-types';
import { clusterResource } from '../../api/list';
import { useCluster, type Cluster } from '../../api/platform';
import { useWatch } from '../../api/watch';
import { ErrorState } from '../../components/error-state';
import { formatBytes, formatCpu, formatTime } from '../../components/format';
import { UrlTabs } from '../../components/url-tabs';
import { PageHeader } from '../../components/page-header';
import { ResourceTable } from '../../components/resource-table';
import { nodeColumns } from '../nodes/node-columns';
import { ClusterActions } from './cluster-actions';
import { ConnectionState, ReadyTag } from './cluster-status';
import { eventColumns } from './event-columns';
import { useKubeconfigDownload } from './use-kubeconfig';

export default function ClusterDetailPage() {
  const { t } = useTranslation();
  const name = useParams().name ?? '';
  const cluster = useCluster(name);
  const kubeconfig = useKubeconfigDownload();
  useWatch(['management/clusters']);
  if (cluster.error) return <ErrorState error={cluster.error} onRetry={() => void cluster.refetch()} />;
  const c = cluster.data;
  return (
    <>
      <PageHeader
        title={
          <Space>
            <Link to="/clusters">{t('clusters.title')}</Link>/<span>{c?.spec.displayName || name}</span>
          </Space>
        }
        extra={
          <Space>
            <Button
              icon={<DownloadOutlined />}
              loading={kubeconfig.isPending}
              onClick={() => kubeconfig.mutate(name)}
            >
              {t('clusters.kubeconfig')}
            </Button>
            {c && <ClusterActions cluster={c} />}
          </Space>
        }
      >
        {kubeconfig.error && <Typography.Text type="danger">{kubeconfig.error.message}</Typography.Text>}
      </PageHeader>
      {c && <Overview cluster={c} />}
      <UrlTabs
        defaultKey="nodes"
        items={[
          {
            key: 'nodes',
            label: t('clusterDetail.tabs.nodes'),
            children: (
              <ResourceTable<KubeNode>
                testId="nodes-table"
                urlPrefix="n."
                source={clusterResource(name, 'nodes')}
                columns={nodeColumns(t)}
                rowKey={(n) => n.metadata.name}
                search
                compactErrors
              />
            ),
          },
          {
            key: 'capacity',
            label: t('clusterDetail.tabs.capacity'),
            children: c && <Capacity cluster={c} />,
          },
          {
            key: 'events',
            label: t('clusterDetail.tabs.events'),
            children: (
              <ResourceTable<KubeEvent>
                testId="events-table"
                urlPrefix="e."
                source={clusterResource(name, 'events')}
                columns={eventColumns(t)}
                rowKey={(e) => e.metadata.uid ?? `${e.metadata.namespace}/${e.metadata.name}`}
                defaultSort="-lastTimestamp"
                compactErrors
              />
            ),
          },
        ]}
      />
    </>
  );
}

function Overview({ cluster: c }: { cluster: Cluster }) {
  const { t } = useTranslation();
  return (
    <Descriptions
      size="small"
      column={{ xs: 1, md: 2, xl: 3 }}
      style={{ marginBottom: 16 }}
      data-testid="cluster-overview"
    >
      <Descriptions.Item label={t('common.name')}>{c.metadata.name}</Descriptions.Item>
      <Descriptions.Item label={t('common.status')}>
        <ReadyTag cluster={c} />
      </Descriptions.Item>
      <Descriptions.Item label={t('clusterDetail.mode')}>
        <ConnectionState cluster={c} />
      </Descriptions.Item>
      <Descriptions.Item label={t('clusters.version')}>
        {c.status?.kubernetesVersion ?? t('common.none')}
      </Descriptions.Item>
      <Descriptions.Item label={t('clusters.nodes')}>
        {c.status?.nodes ? `${c.status.nodes.ready} / ${c.status.nodes.total}` : t('common.none')}
      </Descriptions.Item>
      <Descriptions.Item label={t('common.created')}>
        {formatTime(c.metadata.creationTimestamp)}
      </Descriptions.Item>
      {c.spec.description && (
        <Descriptions.Item label={t('common.description')} span={3}>
          {c.spec.description}
        </Descriptions.Item>
      )}
      <Descriptions.Item label={t('clusterDetail.conditions')} span={3}>
        <Space wrap>
          {(c.status?.conditions ?? []).map((x) => (
            <Tooltip key={x.type} title={[x.reason, x.message].filter(Boolean).join(': ') || undefined}>
              <Tag color={x.status === 'True' ? 'success' : x.status === 'False' ? 'error' : 'default'}>
                {x.type}: {x.status}
              </Tag>
            </Tooltip>
          ))}
        </Space>
      </Descriptions.Item>
    </Descriptions>
  );
}

const capacityRows: { key: string; format: (q: string | undefined) => string }[] = [
  { key: 'cpu', format: formatCpu },
  { key: 'memory', format: formatBytes },
  { key: 'pods', format: (q) => q ?? '—' },
  { key: 'ephemeral-storage', format: formatBytes },
];

function Capacity({ cluster: c }: { cluster: Cluster }) {
  const { t } = useTranslation();
  if (!c.status?.capacity)
    return <Typography.Text type="secondary">{t('clusterDetail.noCapacity')}</Typography.Text>;
  return (
    <Table
      data-testid="capacity-table"
      size="small"
      pagination={false}
      rowKey="key"
      style={{ maxWidth: 640 }}
      dataSource={capacityRows.filter((r) => c.status?.capacity?.[r.key] !== undefined)}
      columns={[
        { key: 'resource', title: t('clusterDetail.resource'), render: (_, r) => r.key },
        {
          key: 'capacity',
          title: t('clusterDetail.capacity'),
          render: (_, r) => r.format(c.status?.capacity?.[r.key]),
        },
        {
          key: 'allocatable',
          title: t('clusterDetail.allocatable'),
          render: (_, r) => r.format(c.status?.allocatable?.[r.key]),
        },
      ]}
    />
  );
}
