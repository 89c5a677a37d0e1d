/** A cluster's state at a glance: its Ready condition, and how it is connected. */
import { Badge, Tag, Tooltip } from 'antd';
import { useTranslation } from 'react-i18next';
import { readyCondition, type Cluster } from '../../api/platform';
import { formatTime } from '../../components/format';

export function ReadyTag({ cluster }: { cluster: Cluster }) {
  const { t } = useTranslation();
  const ready = readyCondition(cluster);
  const [color, label] =
    ready?.status === 'True'
      ? ['success', t('clusters.ready')]
      : ready?.status === 'False'
        ? ['error', t('clusters.notReady')]
        : ['default', t('clusters.unknown')];
  const why =
    ready && ready.status !== 'True' ? [ready.reason, ready.message].filter(Boolean).join(': ') : '';
  return (
    <Tooltip title={why || undefined}>
      <Tag color={color} data-testid="cluster-ready">
        {label}
      </Tag>
    </Tooltip>
  );
}

export function ConnectionState({ cluster }: { cluster: Cluster }) {
  const { t } = useTranslation();
  if (cluster.spec.connection?.mode !== 'agent') return <span>{t('clusters.direct')}</span>;
  const agent = cluster.status?.agent;
  const seen = agent?.lastSeen ? t('clusters.lastSeen', { time: formatTime(agent.lastSeen) }) : undefined;
  return (
    <Tooltip title={seen}>
      <Badge
        status={agent?.connected ? 'success' : 'error'}
        text={agent?.connected ? t('clusters.agentConnected') : t('clusters.agentDisconnected')}
      />
    </Tooltip>
  );
}
