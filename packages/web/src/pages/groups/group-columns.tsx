/** How a group shows in lists (seed 000's Groups: name, description, members; the Default Team has "All members"). */
import { Space, Tag, Typography } from 'antd';
import type { TFunction } from 'i18next';
import { Link } from 'react-router';
import type { Group } from '../../api/platform';
import type { ColumnDef } from '../../components/resource-table';
import { groupText } from '../../i18n/seeded';

export function GroupMembers({ group, t, max = 8 }: { group: Group; t: TFunction; max?: number }) {
  if (group.spec.allMembers) return <Tag color="blue">{t('groups.allMembers')}</Tag>;
  const members = group.spec.members;
  if (members.length === 0)
    return <Typography.Text type="secondary">{t('groups.people', { count: 0 })}</Typography.Text>;
  return (
    <Space size={[4, 4]} wrap>
      <Typography.Text>{t('groups.people', { count: members.length })}:</Typography.Text>
      {members.slice(0, max).map((m) => (
        <Tag key={m}>{m}</Tag>
      ))}
      {members.length > max && <Tag>+{members.length - max}</Tag>}
    </Space>
  );
}

export function groupColumns(t: TFunction): ColumnDef<Group>[] {
  return [
    {
      key: 'name',
      title: t('common.name'),
      sortPath: 'metadata.name',
      render: (g) => (
        <Space orientation="vertical" size={0}>
          <Link to={`/groups/${g.metadata.name}`}>{groupText(t, g).name || g.metadata.name}</Link>
          {g.spec.displayName && <Typography.Text type="secondary">{g.metadata.name}</Typography.Text>}
        </Space>
      ),
    },
    {
      key: 'description',
      title: t('common.description'),
      ellipsis: true,
      width: 360,
      render: (g) => groupText(t, g).description,
    },
    { key: 'members', title: t('groups.members'), render: (g) => <GroupMembers group={g} t={t} /> },
  ];
}
