/**
 * Joining a cluster through its agent: creates the Cluster (connection mode agent) unless it exists, asks
 * POST /api/v1/clusters/{name}/registrations for a one-time token, and shows the agent command and manifest.
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Form, Input, Modal, Select, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, enc } from '../../api/client';
import { formatTime } from '../../components/format';
import { CopyBlock } from '../../components/copy-block';
import { showFieldError } from '../../components/form-errors';

type Registration = { cluster: string; token: string; expiresAt: string; command: string; manifest: string };
type Values = { metadata: { name: string }; spec: { displayName?: string }; ttlSeconds: number };

/** What the API accepts as a name (packages/api meta.ts dnsLabel): checked here before the request is sent. */
const dnsLabel = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

type Props = {
  /** An existing agent cluster to register again (a new agent); otherwise a new cluster is created. */
  existing?: string;
  onClose: () => void;
};

export function RegisterClusterDialog({ existing, onClose }: Props) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [form] = Form.useForm<Values>();
  /** An error that concerns no field of the form: shown above it. */
  const [general, setGeneral] = useState<Error | null>(null);
  const register = useMutation({
    mutationFn: async (v: Values) => {
      const name = existing ?? v.metadata.name;
      if (!existing) {
        await api.post('/api/v1/clusters', {
          metadata: { name },
          spec: {
            ...(v.spec.displayName ? { displayName: v.spec.displayName } : {}),
            connection: { mode: 'agent' },
          },
        });
      }
      return api.post<Registration>(`/api/v1/clusters/${enc(name)}/registrations`, {
        ttlSeconds: v.ttlSeconds,
      });
    },
    onSettled: () => qc.invalidateQueries({ queryKey: ['management', 'clusters'] }),
    onMutate: () => setGeneral(null),
    onError: (err) => {
      if (!showFieldError(form, err, [['metadata', 'name'], ['spec', 'displayName'], ['ttlSeconds']]))
        setGeneral(err);
    },
  });
  const done = register.data;
  const ttls = [
    { value: 3600, label: t('register.hours', { count: 1 }) },
    { value: 24 * 3600, label: t('register.hours', { count: 24 }) },
    { value: 7 * 24 * 3600, label: t('register.days', { count: 7 }) },
  ];
  return (
    <Modal
      open
      width={760}
      title={existing ? `${t('clusters.reRegister')}: ${existing}` : t('register.title')}
      onCancel={onClose}
      footer={
        done ? (
          <Button type="primary" onClick={onClose}>
            {t('common.close')}
          </Button>
        ) : (
          <>
            <Button onClick={onClose}>{t('common.cancel')}</Button>
            <Button type="primary" loading={register.isPending} onClick={() => form.submit()}>
              {t('register.submit')}
            </Button>
          </>
        )
      }
    >
      {done ? (
        <div data-testid="registration">
          <Alert
            type="success"
            showIcon
            style={{ marginBottom: 16 }}
            title={t('register.done', { name: done.cluster, expires: formatTime(done.expiresAt) })}
          />
          <Typography.Text strong>{t('register.command')}</Typography.Text>
          <CopyBlock text={done.command} testId="agent-command" />
          <Typography.Text strong>{t('register.manifest')}</Typography.Text>
          <CopyBlock text={done.manifest} testId="agent-manifest" maxHeight={280} />
        </div>
      ) : (
        <>
          <Typography.Paragraph type="secondary">{t('register.intro')}</Typography.Paragraph>
          {general && <Alert type="error" showIcon title={general.message} style={{ marginBottom: 16 }} />}
          <Form<Values>
            form={form}
            layout="vertical"
            initialValues={{ ttlSeconds: 3600 }}
            onFinish={(v) => register.mutate(v)}
          >
            {!existing && (
              <>
                <Form.Item
                  name={['metadata', 'name']}
                  label={t('register.name')}
                  extra={t('register.nameHelp')}
                  rules={[
                    { required: true, message: t('register.nameRequired') },
                    { max: 63, pattern: dnsLabel, message: t('register.nameInvalid') },
                  ]}
                >
                  <Input data-testid="cluster-name" autoFocus />
                </Form.Item>
                <Form.Item
                  name={['spec', 'displayName']}
                  label={t('register.displayName')}
                  rules={[{ max: 128 }]}
                >
                  <Input />
                </Form.Item>
              </>
            )}
            <Form.Item name="ttlSeconds" label={t('register.ttl')}>
              <Select options={ttls} style={{ width: 200 }} />
            </Form.Item>
          </Form>
        </>
      )}
    </Modal>
  );
}
