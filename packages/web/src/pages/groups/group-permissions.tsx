/**
 * A group's permissions (seed 000 "Groups / SREs"): the role templates bound to it and where (the tenant, or
 * one of its partitions), and a form to bind another: a tenant-level template at the tenant, a
 * partition-level one at a partition. The API decides whether the caller may grant it (they must hold what it
 * grants there, or `bind` on it) and says why not, shown above the form.
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Form, Popconfirm, Select, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api, enc } from '../../api/client';
import {
  sources,
  useAll,
  type Partition,
  type RoleTemplate,
  type RoleTemplateBinding,
} from '../../api/platform';
import { ErrorState } from '../../components/error-state';

type Values = { template?: string; partition?: string };

/** A binding's name: the group's and the template's, made unique (names are at most 63 characters). */
function bindingName(group: string, template: string): string {
  const suffix = Math.random().toString(36).slice(2, 8).padEnd(6, '0');
  return `${`${group}-${template}`.slice(0, 63 - suffix.length - 1).replace(/-+$/, '')}-${suffix}`;
}

export function GroupPermissions({ group, tenant }: { group: string; tenant: string }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [form] = Form.useForm<Values>();
  const [grantError, setGrantError] = useState<Error | null>(null);
  const bindings = useAll<RoleTemplateBinding>(
    'roletemplatebindings',
    `spec.subject.kind=Group,spec.subject.name=${group}`,
  );
  const templates = useAll<RoleTemplate>('roletemplates');
  const partitions = useAll<Partition>('partitions', `spec.tenant=${tenant}`);
  const byName = new Map((templates.data?.items ?? []).map((x) => [x.metadata.name, x]));
  const chosen = byName.get(Form.useWatch('template', form) ?? '');

  const grant = useMutation({
    mutationFn: (v: Values) => {
      const template = byName.get(v.template ?? '');
      if (!template) throw new Error(t('permissions.templateRequired'));
      const level = template.spec.level;
      return api.post<RoleTemplateBinding>('/api/v1/roletemplatebindings', {
        metadata: { name: bindingName(group, template.metadata.name) },
        spec: {
          subject: { kind: 'Group', name: group },
          roleTemplate: template.metadata.name,
          scope: { level, name: level === 'tenant' ? tenant : v.partition },
        },
      });
    },
    onMutate: () => setGrantError(null),
    onError: (err) => setGrantError(err),
    onSuccess: (b) => {
      form.resetFields();
      void message.success(t('permissions.granted', { template: b.spec.roleTemplate }));
    },
    onSettled: () => qc.invalidateQueries({ queryKey: sources.roletemplatebindings.key }),
  });
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
  const templateOptions = (['tenant', 'partition'] as const).map((level) => ({
    label: levelLabel(level),
    options: (templates.data?.items ?? [])
      .filter((x) => x.spec.level === level)
      .map((x) => ({
        value: x.metadata.name,
        label: x.spec.displayName ? `${x.spec.displayName} (${x.metadata.name})` : x.metadata.name,
      })),
  }));

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
              return x?.spec.displayName
                ? `${x.spec.displayName} (${b.spec.roleTemplate})`
                : b.spec.roleTemplate;
            },
          },
          {
            key: 'description',
            title: t('common.description'),
            ellipsis: true,
            render: (_, b) => byName.get(b.spec.roleTemplate)?.spec.description,
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
            render: (_, b) => (
              <Popconfirm
                title={t('permissions.removeConfirm', { template: b.spec.roleTemplate })}
                okText={t('common.remove')}
                cancelText={t('common.cancel')}
                okButtonProps={{ danger: true }}
                onConfirm={() => revoke.mutateAsync(b)}
              >
                <Button size="small" danger>
                  {t('common.remove')}
                </Button>
              </Popconfirm>
            ),
          },
        ]}
      />
      <Typography.Title level={5} style={{ marginTop: 24 }}>
        {t('permissions.grantTitle')}
      </Typography.Title>
      {grantError && <Alert type="error" showIcon title={grantError.message} style={{ marginBottom: 12 }} />}
      <Form<Values> form={form} layout="inline" onFinish={(v) => grant.mutate(v)} style={{ rowGap: 8 }}>
        <Form.Item
          name="template"
          label={t('permissions.template')}
          rules={[{ required: true, message: t('permissions.templateRequired') }]}
        >
          <Select
            data-testid="grant-template"
            showSearch={{ optionFilterProp: 'label' }}
            style={{ width: 320 }}
            loading={templates.isLoading}
            options={templateOptions}
            onChange={() => form.setFieldValue('partition', undefined)}
          />
        </Form.Item>
        {chosen?.spec.level === 'partition' ? (
          <Form.Item
            name="partition"
            label={t('permissions.partition')}
            rules={[{ required: true, message: t('permissions.partitionRequired') }]}
          >
            <Select
              data-testid="grant-partition"
              showSearch={{ optionFilterProp: 'label' }}
              style={{ width: 240 }}
              loading={partitions.isLoading}
              options={(partitions.data?.items ?? []).map((p) => ({
                value: p.metadata.name,
                label: p.metadata.name,
              }))}
            />
          </Form.Item>
        ) : (
          <Form.Item label={t('permissions.scope')}>
            <Tag>{`${t('permissions.levels.tenant')}: ${tenant}`}</Tag>
          </Form.Item>
        )}
        <Form.Item>
          <Button type="primary" htmlType="submit" loading={grant.isPending} data-testid="grant-submit">
            {t('permissions.grant')}
          </Button>
        </Form.Item>
      </Form>
    </>
  );
}
