/**
 * Access Control (seed 000 "Groups"): the chosen tenant's groups, each a team with members and permissions.
 * The Default Team has all members. Create, modify and delete here; members and permissions on its page.
 */
import { PlusOutlined } from '@ant-design/icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { App, Button, Empty, Space } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { tenantScope, useWrites } from '../../api/can';
import { sources, type Group } from '../../api/platform';
import { useTenant } from '../../api/tenant-choice';
import { ConfirmButton } from '../../components/confirm-button';
import { PageHeader } from '../../components/page-header';
import { ResourceTable, type ColumnDef } from '../../components/resource-table';
import { deleteGroup } from './delete-group';
import { GroupDialog } from './group-dialog';
import { groupColumns } from './group-columns';

export default function GroupsPage() {
  const { t } = useTranslation();
  const { tenant } = useTenant();
  const may = useWrites('groups', tenantScope(tenant));
  const { message } = App.useApp();
  const qc = useQueryClient();
  // undefined: closed; null: a new group; a group: modify it.
  const [editing, setEditing] = useState<Group | null>();
  const remove = useMutation({
    mutationFn: deleteGroup,
    onSuccess: (_r, g) =>
      void message.success(t('groups.deleted', { name: g.spec.displayName || g.metadata.name })),
    onError: (err) => void message.error(err.message),
    onSettled: () => qc.invalidateQueries({ queryKey: ['management'] }),
  });
  if (!tenant) return <Empty description={t('tenantSwitch.chooseFirst')} />;
  const columns: ColumnDef<Group>[] = [...groupColumns(t)];
  if (may.update || may.delete) {
    columns.push({
      key: 'actions',
      title: t('common.actions'),
      render: (g) => (
        <Space>
          {may.update && (
            <Button size="small" onClick={() => setEditing(g)}>
              {t('common.modify')}
            </Button>
          )}
          {may.delete && (
            <ConfirmButton
              question={t('groups.deleteConfirm', { name: g.spec.displayName || g.metadata.name })}
              action={t('common.delete')}
              onConfirm={() => remove.mutateAsync(g)}
            />
          )}
        </Space>
      ),
    });
  }
  return (
    <>
      <PageHeader
        title={t('groups.title')}
        extra={
          may.create && (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing(null)}>
              {t('groups.create')}
            </Button>
          )
        }
      />
      <ResourceTable<Group>
        key={tenant}
        testId="groups-table"
        source={sources.groups}
        baseFilter={`spec.tenant=${tenant}`}
        columns={columns}
        rowKey={(g) => g.metadata.name}
        search
        emptyText={t('groups.empty')}
      />
      {editing !== undefined && (
        <GroupDialog tenant={tenant} existing={editing ?? undefined} onClose={() => setEditing(undefined)} />
      )}
    </>
  );
}
