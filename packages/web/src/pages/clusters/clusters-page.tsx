import { DownloadOutlined, PlusOutlined } from '@ant-design/icons';
import { Button, Space, Tooltip, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { useCanDo } from '../../api/can';
import { sources, type Cluster } from '../../api/platform';
import { formatBytes, formatCpu, formatTime } from '../../components/format';
import { PageHeader } from '../../components/page-header';
import { ResourceTable, type ColumnDef } from '../../components/resource-table';
import { ConnectionState, ReadyTag } from './cluster-status';
import { RegisterClusterDialog } from './register-cluster-dialog';
import { useKubeconfigDownload } from './use-kubeconfig';

export default function ClustersPage() {
  const { t } = useTranslation();
  const kubeconfig = useKubeconfigDownload();
  // undefined: closed; '': a new cluster; a name: register that agent cluster again.
  const [registering, setRegistering] = useState<string>();
  const mayRegister = useCanDo('create', 'clusters', { level: 'platform' });
  const columns: ColumnDef<Cluster>[] = [
    {
      key: 'name',
      title: t('common.name'),
      sortPath: 'metadata.name',
      render: (c) => (
        <Space orientation="vertical" size={0}>
          <Link to={`/clusters/${c.metadata.name}`}>{c.metadata.name}</Link>
          {c.spec.displayName && <Typography.Text type="secondary">{c.spec.displayName}</Typography.Text>}
        </Space>
      ),
    },
    { key: 'status', title: t('common.status'), render: (c) => <ReadyTag cluster={c} /> },
    { key: 'connection', title: t('clusters.connection'), render: (c) => <ConnectionState cluster={c} /> },
    {
      key: 'version',
      title: t('clusters.version'),
      sortPath: 'status.kubernetesVersion',
      render: (c) => c.status?.kubernetesVersion ?? t('common.none'),
    },
    {
      key: 'nodes',
      title: t('clusters.nodes'),
      sortPath: 'status.nodes.total',
      render: (c) =>
        c.status?.nodes ? `${c.status.nodes.ready} / ${c.status.nodes.total}` : t('common.none'),
    },
    {
      key: 'cpu',
      title: t('clusters.cpu'),
      render: (c) => (c.status?.capacity?.cpu ? formatCpu(c.status.capacity.cpu) : t('common.none')),
    },
    {
      key: 'memory',
      title: t('clusters.memory'),
      render: (c) => (c.status?.capacity?.memory ? formatBytes(c.status.capacity.memory) : t('common.none')),
    },
    {
      key: 'created',
      title: t('common.created'),
      sortPath: 'metadata.creationTimestamp',
      render: (c) => formatTime(c.metadata.creationTimestamp),
    },
    {
      key: 'actions',
      title: t('common.actions'),
      render: (c) => (
        <Space>
          <Tooltip title={t('topbar.kubeconfig')}>
            <Button
              size="small"
              icon={<DownloadOutlined />}
              aria-label={t('topbar.kubeconfig')}
              loading={kubeconfig.isPending && kubeconfig.variables === c.metadata.name}
              onClick={() => kubeconfig.mutate(c.metadata.name)}
            />
          </Tooltip>
          {mayRegister && c.spec.connection?.mode === 'agent' && !c.status?.agent?.connected && (
            <Button size="small" onClick={() => setRegistering(c.metadata.name)}>
              {t('clusters.reRegister')}
            </Button>
          )}
        </Space>
      ),
    },
  ];
  return (
    <>
      <PageHeader
        title={t('clusters.title')}
        extra={
          mayRegister && (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setRegistering('')}>
              {t('clusters.register')}
            </Button>
          )
        }
      />
      {kubeconfig.error && (
        <Typography.Paragraph type="danger" data-testid="kubeconfig-error">
          {kubeconfig.error.message}
        </Typography.Paragraph>
      )}
      <ResourceTable<Cluster>
        testId="clusters-table"
        source={sources.clusters}
        columns={columns}
        rowKey={(c) => c.metadata.name}
        search
        emptyText={t('clusters.empty')}
      />
      {registering !== undefined && (
        <RegisterClusterDialog
          existing={registering || undefined}
          onClose={() => setRegistering(undefined)}
        />
      )}
    </>
  );
}
