/**
 * One group (seed 000 "Groups / SREs"): created, description, how many members; tabs for its Members and its
 * Permissions (the templates bound to it at the tenant or one of its partitions).
 */
import { EditOutlined } from '@ant-design/icons';
import { Button, Descriptions, Space, Table, Tag } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { tenantScope, useWrites } from '../../api/can';
import { useAll, useObject, type Group } from '../../api/platform';
import { useWatch } from '../../api/watch';
import { ErrorState } from '../../components/error-state';
import { formatTime } from '../../components/format';
import { UrlTabs } from '../../components/url-tabs';
import { PageHeader } from '../../components/page-header';
import { GroupDialog } from './group-dialog';
import { GroupPermissions } from './group-permissions';
import { groupText } from '../../i18n/seeded';

export default function GroupDetailPage() {
  const { t } = useTranslation();
  const name = useParams().name ?? '';
  const [editing, setEditing] = useState(false);
  const group = useObject<Group>('groups', name);
  const may = useWrites('groups', tenantScope(group.data?.spec.tenant));
  useWatch(['management/groups', 'management/roletemplatebindings']);
  if (group.error) return <ErrorState error={group.error} onRetry={() => void group.refetch()} />;
  const g = group.data;
  return (
    <>
      <PageHeader
        title={
          <Space>
            <Link to="/groups">{t('groups.title')}</Link>/<span>{(g && groupText(t, g).name) || name}</span>
          </Space>
        }
        extra={
          may.update && (
            <Button icon={<EditOutlined />} onClick={() => setEditing(true)}>
              {t('common.modify')}
            </Button>
          )
        }
      />
      {g && (
        <>
          <Descriptions
            size="small"
            column={{ xs: 1, md: 2, xl: 4 }}
            style={{ marginBottom: 16 }}
            data-testid="group-overview"
          >
            <Descriptions.Item label={t('common.name')}>{g.metadata.name}</Descriptions.Item>
            <Descriptions.Item label={t('groups.tenant')}>
              {g.spec.tenant ?? t('common.none')}
            </Descriptions.Item>
            <Descriptions.Item label={t('common.created')}>
              {formatTime(g.metadata.creationTimestamp)}
            </Descriptions.Item>
            <Descriptions.Item label={t('groups.memberCount')}>
              {g.spec.allMembers ? t('groups.allMembers') : g.spec.members.length}
            </Descriptions.Item>
            <Descriptions.Item label={t('common.description')} span={4}>
              {g.spec.description || t('common.none')}
            </Descriptions.Item>
          </Descriptions>
          <UrlTabs
            defaultKey="members"
            items={[
              { key: 'members', label: t('groups.tabs.members'), children: <MemberList group={g} /> },
              {
                key: 'permissions',
                label: t('groups.tabs.permissions'),
                children: g.spec.tenant ? (
                  <GroupPermissions group={g.metadata.name} tenant={g.spec.tenant} />
                ) : null,
              },
            ]}
          />
          {editing && g.spec.tenant && (
            <GroupDialog tenant={g.spec.tenant} existing={g} onClose={() => setEditing(false)} />
          )}
        </>
      )}
    </>
  );
}

/** The group's members; for a Default Team, everyone in the tenant's other groups, and through which. */
function MemberList({ group }: { group: Group }) {
  const { t } = useTranslation();
  const others = useAll<Group>('groups', `spec.tenant=${group.spec.tenant ?? ''}`, !!group.spec.allMembers);
  const via = new Map<string, string[]>();
  if (group.spec.allMembers) {
    for (const o of others.data?.items ?? []) {
      if (o.spec.allMembers) continue;
      for (const m of o.spec.members)
        via.set(m, [...(via.get(m) ?? []), o.spec.displayName || o.metadata.name]);
    }
  } else for (const m of group.spec.members) via.set(m, []);
  if (others.error) return <ErrorState compact error={others.error} onRetry={() => void others.refetch()} />;
  return (
    <Table
      data-testid="group-member-list"
      size="small"
      rowKey="user"
      loading={others.isLoading && !!group.spec.allMembers}
      dataSource={[...via].sort(([a], [b]) => (a < b ? -1 : 1)).map(([user, groups]) => ({ user, groups }))}
      pagination={via.size > 20 ? { pageSize: 20 } : false}
      locale={{ emptyText: t('groups.noMembers') }}
      columns={[
        { key: 'user', title: t('groups.user'), render: (_, r) => r.user },
        ...(group.spec.allMembers
          ? [
              {
                key: 'via',
                title: t('groups.via'),
                render: (_: unknown, r: { groups: string[] }) => r.groups.map((x) => <Tag key={x}>{x}</Tag>),
              },
            ]
          : []),
      ]}
    />
  );
}
