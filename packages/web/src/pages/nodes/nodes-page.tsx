/**
 * Nodes of one chosen cluster (remembered in the URL; at first a Ready one). The API lists nodes per cluster
 * (/api/v1/clusters/{c}/nodes), so one cluster that cannot be reached shows as such here and nowhere else. No
 * nodes are asked for before the clusters are known.
 */
import { Empty, Select, Space, Spin, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import type { KubeNode } from '../../api/kube-types';
import { clusterResource } from '../../api/list';
import { defaultCluster, useClusterNames } from '../../api/platform';
import { ErrorState } from '../../components/error-state';
import { PageHeader } from '../../components/page-header';
import { ResourceTable } from '../../components/resource-table';
import { nodeColumns } from './node-columns';

export default function NodesPage() {
  const { t } = useTranslation();
  const [params, setParams] = useSearchParams();
  const clusters = useClusterNames();
  if (clusters.error) return <ErrorState error={clusters.error} onRetry={() => void clusters.refetch()} />;
  const names = clusters.data ?? [];
  const chosen = params.get('cluster') ?? defaultCluster(names);
  return (
    <>
      <PageHeader title={t('nodes.title')} />
      {clusters.isPending ? (
        <Spin data-testid="nodes-loading" />
      ) : !chosen ? (
        <Empty description={t('nodes.noClusters')} />
      ) : (
        <ResourceTable<KubeNode>
          // A new cluster is a new table: its own page and sort.
          key={chosen}
          testId="nodes-table"
          source={clusterResource(chosen, 'nodes')}
          columns={nodeColumns(t)}
          rowKey={(n) => n.metadata.name}
          search
          compactErrors
          toolbar={
            <Space>
              <Typography.Text>{t('nodes.cluster')}</Typography.Text>
              <Select
                data-testid="nodes-cluster"
                showSearch
                style={{ minWidth: 220 }}
                placeholder={t('nodes.chooseCluster')}
                loading={clusters.isLoading}
                value={chosen}
                onChange={(cluster: string) => setParams({ cluster }, { replace: true })}
                options={names.map((c) => ({
                  value: c.name,
                  label:
                    (c.displayName ? `${c.displayName} (${c.name})` : c.name) +
                    (c.ready ? '' : ` · ${t('clusters.notReady')}`),
                }))}
              />
            </Space>
          }
        />
      )}
    </>
  );
}
