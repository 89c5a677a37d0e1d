import { Tag } from 'antd';
import type { TFunction } from 'i18next';
import type { KubeNode } from '../../api/kube-types';
import { formatBytes, formatCpu, formatTime } from '../../components/format';
import type { ColumnDef } from '../../components/resource-table';

const rolePrefix = 'node-role.kubernetes.io/';

/** The nodes table, the same on the Nodes page and in a cluster's detail. */
export function nodeColumns(t: TFunction): ColumnDef<KubeNode>[] {
  return [
    { key: 'name', title: t('common.name'), sortPath: 'metadata.name', render: (n) => n.metadata.name },
    {
      key: 'status',
      title: t('common.status'),
      render: (n) => {
        const ready = n.status?.conditions?.find((c) => c.type === 'Ready');
        return (
          <>
            <Tag color={ready?.status === 'True' ? 'success' : 'error'}>
              {ready?.status === 'True' ? t('clusters.ready') : t('clusters.notReady')}
            </Tag>
            {n.spec?.unschedulable && <Tag>SchedulingDisabled</Tag>}
          </>
        );
      },
    },
    {
      key: 'roles',
      title: t('nodes.roles'),
      render: (n) =>
        Object.keys(n.metadata.labels ?? {})
          .filter((k) => k.startsWith(rolePrefix))
          .map((k) => k.slice(rolePrefix.length))
          .join(', ') || t('common.none'),
    },
    {
      key: 'kubelet',
      title: t('nodes.kubelet'),
      sortPath: 'status.nodeInfo.kubeletVersion',
      render: (n) => n.status?.nodeInfo?.kubeletVersion ?? t('common.none'),
    },
    {
      key: 'address',
      title: t('nodes.address'),
      render: (n) => n.status?.addresses?.find((a) => a.type === 'InternalIP')?.address ?? t('common.none'),
    },
    { key: 'cpu', title: t('clusters.cpu'), render: (n) => formatCpu(n.status?.capacity?.cpu) },
    { key: 'memory', title: t('clusters.memory'), render: (n) => formatBytes(n.status?.capacity?.memory) },
    { key: 'pods', title: t('nodes.pods'), render: (n) => n.status?.capacity?.pods ?? t('common.none') },
    {
      key: 'created',
      title: t('common.created'),
      sortPath: 'metadata.creationTimestamp',
      render: (n) => formatTime(n.metadata.creationTimestamp),
    },
  ];
}
