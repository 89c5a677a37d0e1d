import { Tag } from 'antd';
import type { TFunction } from 'i18next';
import type { KubeEvent } from '../../api/kube-types';
import { formatTime } from '../../components/format';
import type { ColumnDef } from '../../components/resource-table';

export function eventColumns(t: TFunction): ColumnDef<KubeEvent>[] {
  return [
    {
      key: 'type',
      title: t('events.type'),
      sortPath: 'type',
      filter: { path: 'type', options: ['Normal', 'Warning'].map((v) => ({ label: v, value: v })) },
      render: (e) => <Tag color={e.type === 'Warning' ? 'warning' : 'default'}>{e.type}</Tag>,
    },
    { key: 'reason', title: t('events.reason'), sortPath: 'reason', render: (e) => e.reason },
    {
      key: 'object',
      title: t('events.object'),
      render: (e) =>
        [e.involvedObject?.namespace, `${e.involvedObject?.kind ?? ''}/${e.involvedObject?.name ?? ''}`]
          .filter(Boolean)
          .join(' · '),
    },
    { key: 'message', title: t('events.message'), ellipsis: true, width: 420, render: (e) => e.message },
    { key: 'count', title: t('events.count'), sortPath: 'count', render: (e) => e.count ?? 1 },
    {
      key: 'last',
      title: t('events.last'),
      sortPath: 'lastTimestamp',
      render: (e) => formatTime(e.lastTimestamp ?? e.eventTime),
    },
  ];
}
