/**
 * Creating a tenant (`/tenants/~new`) or changing one (`/tenants/:name/edit`): its names and its quota per
 * cluster. Checked here as the API checks it before anything is sent; what the API still refuses shows at the
 * field it names (a quota lowered under what partitions hold, an L4 range another tenant has), else above.
 */
import { PlusOutlined } from '@ant-design/icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Flex, Form, Input, Space, Spin, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router';
import { api, enc } from '../../api/client';
import { sources, useObject, type Tenant } from '../../api/platform';
import { ErrorState } from '../../components/error-state';
import { showMappedFieldError } from '../../components/form-errors';
import { PageHeader } from '../../components/page-header';
import { ClusterQuotaCard } from './cluster-quota-card';
import { nameRules } from './quota-validators';
import { fieldOfApiPath, specOf, valuesOf, type TenantFormValues } from './tenant-form-model';

export default function TenantFormPage() {
  const name = useParams().name;
  const tenant = useObject<Tenant>('tenants', name);
  if (name && tenant.error) return <ErrorState error={tenant.error} onRetry={() => void tenant.refetch()} />;
  if (name && !tenant.data) return <Spin />;
  return <TenantForm existing={tenant.data} />;
}

function TenantForm({ existing }: { existing?: Tenant }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const [form] = Form.useForm<TenantFormValues>();
  const [general, setGeneral] = useState<Error | null>(null);
  const save = useMutation({
    mutationFn: (v: TenantFormValues) =>
      existing
        ? // A merge patch of the spec: the tenant's status changes all the time (its ledger, its usage), and
          // a PUT of the version read here would fail on each such change.
          api.patch<Tenant>(`/api/v1/tenants/${enc(existing.metadata.name)}`, {
            spec: { displayName: null, description: null, ...specOf(v) },
          })
        : api.post<Tenant>('/api/v1/tenants', { metadata: { name: v.name }, spec: specOf(v) }),
    onMutate: () => setGeneral(null),
    onError: (err) => {
      const values = form.getFieldsValue(true) as TenantFormValues;
      if (!showMappedFieldError(form, err, (path) => fieldOfApiPath(path, values))) setGeneral(err);
    },
    onSuccess: (saved) => void navigate(`/tenants/${saved.metadata.name}`),
    onSettled: () => qc.invalidateQueries({ queryKey: sources.tenants.key }),
  });
  const title = existing
    ? t('tenants.editTitle', { name: existing.metadata.name })
    : t('tenants.createTitle');
  return (
    <>
      <PageHeader
        title={
          <Space>
            <Link to="/tenants">{t('tenants.title')}</Link>/<span>{title}</span>
          </Space>
        }
      />
      {general && <Alert type="error" showIcon title={general.message} style={{ marginBottom: 16 }} />}
      <Form<TenantFormValues>
        form={form}
        layout="vertical"
        data-testid="tenant-form"
        initialValues={existing ? valuesOf(existing) : { clusters: [{}] }}
        onFinish={(v) => save.mutate(v)}
        style={{ maxWidth: 1000 }}
        scrollToFirstError
      >
        <Form.Item
          name="name"
          label={t('tenants.identifier')}
          extra={existing ? undefined : t('forms.nameHelp')}
          rules={nameRules(t)}
        >
          <Input disabled={!!existing} autoFocus={!existing} placeholder="qa-only-control" />
        </Form.Item>
        <Form.Item name="displayName" label={t('common.displayName')} rules={[{ max: 128 }]}>
          <Input placeholder="QA-Only-Control" />
        </Form.Item>
        <Form.Item name="description" label={t('common.description')} rules={[{ max: 2048 }]}>
          <Input.TextArea rows={2} />
        </Form.Item>
        <Typography.Title level={5}>{t('tenants.quotaTitle')}</Typography.Title>
        <Typography.Paragraph type="secondary">{t('tenants.quotaHelp')}</Typography.Paragraph>
        <Form.List name="clusters">
          {(fields, { add, remove }) => (
            <>
              {fields.map((f) => (
                <ClusterQuotaCard key={f.key} index={f.name} onRemove={() => remove(f.name)} />
              ))}
              <Form.Item>
                <Button icon={<PlusOutlined />} onClick={() => add({})}>
                  {t('tenants.addCluster')}
                </Button>
              </Form.Item>
            </>
          )}
        </Form.List>
        <Flex gap={8}>
          <Button type="primary" htmlType="submit" loading={save.isPending} data-testid="tenant-submit">
            {existing ? t('common.save') : t('tenants.create')}
          </Button>
          <Button onClick={() => void navigate(existing ? `/tenants/${existing.metadata.name}` : '/tenants')}>
            {t('common.cancel')}
          </Button>
        </Flex>
      </Form>
    </>
  );
}
