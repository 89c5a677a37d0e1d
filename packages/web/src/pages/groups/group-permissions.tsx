/**
 * A group's permissions (seed 000 "Groups / SREs"): the role templates bound to it and where (the tenant, or
 * one of its partitions), and, for those who may grant, the form to bind another (grant-form.tsx).
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { App, Table, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { tenantScope, useWrites } from '../../api/can';
import { api, enc } from '../../api/client';
import { sources, useAll, type RoleTemplate, type RoleTemplateBinding } from '../../api/platform';
import { ConfirmButton } from '../../components/confirm-button';
import { ErrorState } from '../../components/error-state';
import { GrantForm } from './grant-form';
import { templateText } from '../../i18n/seeded';

export function GroupPermissions({ group, tenant }: { group: string; tenant: string }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const may = useWrites('roletemplatebindings', tenantScope(tenant));
  const bindings = useAll<RoleTemplateBinding>(
    'roletemplatebindings',
    `spec.subject.kind=Group,spec.subject.name=${group}`,
  );
  const templates = useAll<RoleTemplate>('roletemplates');
  const byName = new Map((templates.data?.items ?? []).map((x) => [x.metadata.name, x]));

  const revoke = useMutation({
    mutationFn: (b: RoleTemplateBinding) => api.del(`/api/v1/roletemplatebindings/${enc(b.metadata.name)}`),
    onError: (err) => void message.error(err.message),
    onSettled: () => qc.invalidateQueries({ queryKey: sources.roletemplatebindings.key }),
  });

  const levelLabel = (level: string) =>
    level === 'tenant'
      ? t('permissions.levels.tenant')
      : level === 'partition'
        ? t('permissions.levels.partition')
        : level;

  if (bindings.error)
    return <ErrorState compact error={bindings.error} onRetry={() => void bindings.refetch()} />;
  return (
    <>
      <Typography.Paragraph type="secondary">{t('permissions.intro')}</Typography.Paragraph>
      <Table<RoleTemplateBinding>
        data-testid="group-bindings"
        size="small"
        rowKey={(b) => b.metadata.name}
        loading={bindings.isLoading}
        dataSource={bindings.data?.items ?? []}
        pagination={false}
        locale={{ emptyText: t('permissions.empty') }}
        columns={[
          {
            key: 'template',
            title: t('permissions.template'),
            render: (_, b) => {
              const x = byName.get(b.spec.roleTemplate);
              const label = x && templateText(t, x).name;
              return label ? `${label} (${b.spec.roleTemplate})` : b.spec.roleTemplate;
            },
          },
          {
            key: 'description',
            title: t('common.description'),
            ellipsis: true,
            render: (_, b) => {
              const x = byName.get(b.spec.roleTemplate);
              return x && templateText(t, x).description;
            },
          },
          {
            key: 'level',
            title: t('permissions.level'),
            render: (_, b) => <Tag>{levelLabel(b.spec.scope.level)}</Tag>,
          },
          {
            key: 'scope',
            title: t('permissions.scope'),
            render: (_, b) =>
              b.spec.scope.level === 'partition' && b.spec.scope.name ? (
                <Link to={`/partitions/${b.spec.scope.name}`}>{b.spec.scope.name}</Link>
              ) : (
                b.spec.scope.name
              ),
          },
          {
            key: 'actions',
            title: t('common.actions'),
            hidden: !may.delete,
            render: (_, b) => (
              <ConfirmButton
                question={t('permissions.removeConfirm', { template: b.spec.roleTemplate })}
                action={t('common.remove')}
                onConfirm={() => revoke.mutateAsync(b)}
              />
            ),
          },
        ]}
      />
      {may.create && (
        <GrantForm group={group} tenant={tenant} templates={templates} levelLabel={levelLabel} />
      )}
    </>
  );
}
