import { Progress, Space, Tag, Tooltip, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { readyCondition, type Partition } from '../../api/platform';
import { byResourceOrder, formatAmounts, percentOf, resourceLabel } from '../tenants/resources';

/** Ready, or why not (the controller's reason, its message on hover); Pending before the first reconcile. */
export function PartitionReady({ partition }: { partition: Partition }) {
  const { t } = useTranslation();
  const ready = readyCondition(partition);
  if (!ready) return <Tag color="processing">{t('partitions.pending')}</Tag>;
  if (ready.status === 'True') return <Tag color="success">{t('clusters.ready')}</Tag>;
  return (
    <Tooltip title={ready.message}>
      <Tag color={ready.status === 'False' ? 'error' : 'default'}>
        {ready.reason ?? t('clusters.notReady')}
      </Tag>
    </Tooltip>
  );
}

export const namespaceOf = (p: Partition) => p.status?.namespace ?? p.spec.namespace ?? p.metadata.name;

/** Each resource of the partition's share: what it uses of it, as a bar and "used / share". */
export function PartitionUse({ partition, compact }: { partition: Partition; compact?: boolean }) {
  const { t } = useTranslation();
  const keys = Object.keys(partition.spec.hard).sort(byResourceOrder);
  if (keys.length === 0) return <Typography.Text type="secondary">{t('partitions.noShare')}</Typography.Text>;
  return (
    <Space orientation="vertical" size={0}>
      {keys.map((k) => {
        const used = partition.status?.used?.[k] ?? '0';
        const share = partition.spec.hard[k];
        return (
          <Space key={k} size={8}>
            {!compact && (
              <Progress
                percent={percentOf(used, share)}
                size="small"
                showInfo={false}
                style={{ width: 80, margin: 0 }}
              />
            )}
            <Typography.Text>
              {resourceLabel(t, k)}: {formatAmounts(t, k, [used, share])}
            </Typography.Text>
          </Space>
        );
      })}
    </Space>
  );
}
