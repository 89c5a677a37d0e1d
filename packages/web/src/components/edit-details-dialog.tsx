/**
 * Edits what names an object for people: its display name and description (spec.displayName, .description).
 * The object is read afresh and put back whole with only those changed (the API refuses fields it does not
 * know, and takes back what it answered); an emptied field is removed. A conflicting or refused write shows
 * the server's words, at the field when it names one.
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Form, Input, Modal } from 'antd';
import { useTranslation } from 'react-i18next';
import { api, enc } from '../api/client';
import { ApiError } from '../api/errors';
import { showFieldError } from './form-errors';

type Described = { spec: { displayName?: string; description?: string } & Record<string, unknown> };
type Values = { displayName?: string; description?: string };

type Props = {
  plural: 'clusters' | 'tenants';
  name: string;
  /** What the form starts with (the object as the page shows it). */
  initial: Values;
  onClose: () => void;
};

export function EditDetailsDialog({ plural, name, initial, onClose }: Props) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [form] = Form.useForm<{ spec: Values }>();
  const save = useMutation({
    mutationFn: async (v: Values) => {
      const path = `/api/v1/${plural}/${enc(name)}`;
      const current = await api.get<Described>(path);
      const spec: Described['spec'] = { ...current.spec };
      for (const key of ['displayName', 'description'] as const) {
        const value = v[key]?.trim();
        if (value) spec[key] = value;
        else delete spec[key];
      }
      return api.put<Described>(path, { ...current, spec });
    },
    onSuccess: () => {
      void message.success(t('details.saved', { name }));
      void qc.invalidateQueries({ queryKey: ['management', plural] });
      onClose();
    },
    onError: (err) => {
      showFieldError(form, err, [
        ['spec', 'displayName'],
        ['spec', 'description'],
      ]);
    },
  });
  return (
    <Modal
      open
      title={t('details.title', { name })}
      okText={t('common.save')}
      cancelText={t('common.cancel')}
      okButtonProps={{ loading: save.isPending }}
      onOk={() => form.submit()}
      onCancel={onClose}
    >
      <Form
        form={form}
        layout="vertical"
        initialValues={{ spec: initial }}
        onFinish={(v: { spec: Values }) => save.mutate(v.spec)}
      >
        <Form.Item label={t('common.displayName')} name={['spec', 'displayName']} rules={[{ max: 128 }]}>
          <Input data-testid="details-display-name" />
        </Form.Item>
        <Form.Item label={t('common.description')} name={['spec', 'description']} rules={[{ max: 2048 }]}>
          <Input.TextArea data-testid="details-description" autoSize={{ minRows: 2, maxRows: 6 }} />
        </Form.Item>
      </Form>
      {save.error && !(save.error instanceof ApiError && save.error.field) && (
        <Alert type="error" showIcon title={save.error.message} />
      )}
    </Modal>
  );
}
