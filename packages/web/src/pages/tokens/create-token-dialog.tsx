import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Form, Input, Modal, Select } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import { sources, type TokenView } from '../../api/platform';
import { CopyBlock } from '../../components/copy-block';
import { formatTime } from '../../components/format';
import { showFieldError } from '../../components/form-errors';

type Values = { name: string; expiresInSeconds: number };
const day = 24 * 3600;

export function CreateTokenDialog({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [form] = Form.useForm<Values>();
  const [general, setGeneral] = useState<Error | null>(null);
  const create = useMutation({
    mutationFn: (v: Values) => api.post<TokenView & { token: string }>('/api/v1/tokens', v),
    onMutate: () => setGeneral(null),
    onError: (err) => {
      if (!showFieldError(form, err, [['name'], ['expiresInSeconds']])) setGeneral(err);
    },
    onSettled: () => qc.invalidateQueries({ queryKey: sources.tokens.key }),
  });
  const made = create.data;
  return (
    <Modal
      open
      title={made ? t('tokens.secretTitle', { name: made.name }) : t('tokens.create')}
      onCancel={onClose}
      mask={{ closable: !made }}
      footer={
        made ? (
          <Button type="primary" onClick={onClose}>
            {t('common.close')}
          </Button>
        ) : (
          <>
            <Button onClick={onClose}>{t('common.cancel')}</Button>
            <Button type="primary" loading={create.isPending} onClick={() => form.submit()}>
              {t('tokens.create')}
            </Button>
          </>
        )
      }
    >
      {made ? (
        <>
          <Alert type="warning" showIcon title={t('tokens.secretOnce')} style={{ marginBottom: 12 }} />
          <CopyBlock text={made.token} testId="token-secret" />
          <div>
            {t('tokens.expires')}: {formatTime(made.expiresAt)}
          </div>
        </>
      ) : (
        <>
          {general && <Alert type="error" showIcon title={general.message} style={{ marginBottom: 16 }} />}
          <Form<Values>
            form={form}
            layout="vertical"
            initialValues={{ expiresInSeconds: 90 * day }}
            onFinish={(v) => create.mutate(v)}
          >
            <Form.Item
              name="name"
              label={t('tokens.name')}
              rules={[{ required: true, whitespace: true, message: t('tokens.nameRequired') }, { max: 128 }]}
            >
              <Input data-testid="token-name" autoFocus placeholder="ci-deploy" />
            </Form.Item>
            <Form.Item name="expiresInSeconds" label={t('tokens.expiresIn')}>
              <Select
                style={{ width: 200 }}
                options={[7, 30, 90, 365].map((d) => ({
                  value: d * day,
                  label: t('register.days', { count: d }),
                }))}
              />
            </Form.Item>
          </Form>
        </>
      )}
    </Modal>
  );
}
