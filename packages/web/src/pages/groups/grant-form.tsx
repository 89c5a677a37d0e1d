/**
 * Binding another role template to a group: a tenant-level template at the tenant, a partition-level one at
 * a partition. The API decides whether the caller may grant it (they must hold what it grants there, or `bind`
 * on it) and says why not, shown above the form.
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Form, Select, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import type { ListPage } from '../../api/list';
import {
  sources,
  useAll,
  type Partition,
  type RoleTemplate,
  type RoleTemplateBinding,
} from '../../api/platform';
import { templateText } from '../../i18n/seeded';

type Values = { template?: string; partition?: string };

/** A binding's name: the group's and the template's, made unique (names are at most 63 characters). */
function bindingName(group: string, template: string): string {
  const suffix = Math.random().toString(36).slice(2, 8).padEnd(6, '0');
  return `${`${group}-${template}`.slice(0, 63 - suffix.length - 1).replace(/-+$/, '')}-${suffix}`;
}

type Props = {
  group: string;
  tenant: string;
  templates: { data?: ListPage<RoleTemplate>; isLoading: boolean };
  levelLabel: (level: string) => string;
};

export function GrantForm({ group, tenant, templates, levelLabel }: Props) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [form] = Form.useForm<Values>();
  const [grantError, setGrantError] = useState<Error | null>(null);
  const partitions = useAll<Partition>('partitions', `spec.tenant=${tenant}`);
  const byName = new Map((templates.data?.items ?? []).map((x) => [x.metadata.name, x]));
  const chosen = byName.get(Form.useWatch('template', form) ?? '');
  const templateOptions = (['tenant', 'partition'] as const).map((level) => ({
    label: levelLabel(level),
    options: (templates.data?.items ?? [])
      .filter((x) => x.spec.level === level)
      .map((x) => ({
        value: x.metadata.name,
        label: templateText(t, x).name ? `${templateText(t, x).name} (${x.metadata.name})` : x.metadata.name,
      })),
  }));

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
  return (
    <>
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
