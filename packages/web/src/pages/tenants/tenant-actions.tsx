/**
 * Deleting a tenant, offered only when the server says the user may. A tenant with partitions is deleted only
 * with them: the dialog says how many, and deleting them too (`?cascade=true`) is a choice made explicitly —
 * their namespaces and everything in them go, and the tenant's groups and grants with it.
 */
import { DeleteOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Checkbox, Modal, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { useCanDo } from '../../api/can';
import { api, enc } from '../../api/client';
import type { Partition } from '../../api/platform';

export function DeleteTenantButton({ tenant }: { tenant: string }) {
  const { t } = useTranslation();
  const mayDelete = useCanDo('delete', 'tenants', { level: 'tenant', name: tenant });
  const [open, setOpen] = useState(false);
  if (!mayDelete) return null;
  return (
    <>
      <Button danger icon={<DeleteOutlined />} onClick={() => setOpen(true)}>
        {t('common.delete')}
      </Button>
      {open && <DeleteTenantDialog tenant={tenant} onClose={() => setOpen(false)} />}
    </>
  );
}

function DeleteTenantDialog({ tenant, onClose }: { tenant: string; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const [cascade, setCascade] = useState(false);
  const partitions = useQuery({
    queryKey: ['management', 'partitions', 'of-tenant', tenant],
    queryFn: ({ signal }) =>
      api.get<{ items: Partition[]; total: number }>(
        '/api/v1/partitions',
        { pageSize: 1000, filter: `spec.tenant=${tenant}` },
        signal,
      ),
  });
  const count = partitions.data?.total ?? 0;
  const remove = useMutation({
    mutationFn: () => api.del(`/api/v1/tenants/${enc(tenant)}${cascade ? '?cascade=true' : ''}`),
    onSuccess: () => {
      void message.success(t('tenants.deleted', { name: tenant }));
      void qc.invalidateQueries({ queryKey: ['management'] });
      onClose();
      void navigate('/tenants');
    },
  });
  return (
    <Modal
      open
      title={t('tenants.deleteTitle', { name: tenant })}
      okText={t('common.delete')}
      okButtonProps={{ danger: true, loading: remove.isPending, disabled: count > 0 && !cascade }}
      cancelText={t('common.cancel')}
      onOk={() => remove.mutate()}
      onCancel={onClose}
    >
      <div data-testid="delete-tenant">
        <Typography.Paragraph>{t('tenants.deleteIntro')}</Typography.Paragraph>
        {count > 0 && (
          <>
            <Alert type="warning" showIcon title={t('tenants.hasPartitions', { count })} />
            <Checkbox
              style={{ marginTop: 12 }}
              checked={cascade}
              onChange={(e) => setCascade(e.target.checked)}
            >
              {t('tenants.cascade', { count })}
            </Checkbox>
          </>
        )}
        {remove.error && (
          <Alert style={{ marginTop: 12 }} type="error" showIcon title={remove.error.message} />
        )}
      </div>
    </Modal>
  );
}
