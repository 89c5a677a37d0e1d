/**
 * Editing and deleting a cluster, offered only when the server says the user may (POST /api/v1/session/can).
 * Deleting asks first; the server refuses (and says why) while a tenant's quota or a partition still uses it.
 */
import { DeleteOutlined, EditOutlined } from '@ant-design/icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { App, Button, Space } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { useCan } from '../../api/can';
import { api, enc } from '../../api/client';
import type { Cluster } from '../../api/platform';
import { ConfirmButton } from '../../components/confirm-button';
import { EditDetailsDialog } from '../../components/edit-details-dialog';

export function ClusterActions({
  cluster,
  size = 'middle',
}: {
  cluster: Cluster;
  size?: 'small' | 'middle';
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const name = cluster.metadata.name;
  const scope = { level: 'cluster' as const, name };
  const [mayEdit, mayDelete] = useCan([
    { verb: 'update', resource: 'clusters', scope },
    { verb: 'delete', resource: 'clusters', scope },
  ]);
  const [editing, setEditing] = useState(false);
  const remove = useMutation({
    mutationFn: () => api.del(`/api/v1/clusters/${enc(name)}`),
    onSuccess: () => {
      void message.success(t('clusters.deleted', { name }));
      void qc.invalidateQueries({ queryKey: ['management', 'clusters'] });
      void navigate('/clusters');
    },
    onError: (err) => void message.error(err.message),
  });
  if (!mayEdit && !mayDelete) return null;
  return (
    <Space>
      {mayEdit && (
        <Button size={size} icon={<EditOutlined />} onClick={() => setEditing(true)}>
          {t('common.edit')}
        </Button>
      )}
      {mayDelete && (
        <ConfirmButton
          size={size}
          icon={<DeleteOutlined />}
          question={t('clusters.deleteConfirm', { name })}
          action={t('common.delete')}
          loading={remove.isPending}
          onConfirm={() => remove.mutateAsync().catch(() => undefined)}
        />
      )}
      {editing && (
        <EditDetailsDialog
          plural="clusters"
          name={name}
          initial={{ displayName: cluster.spec.displayName, description: cluster.spec.description }}
          onClose={() => setEditing(false)}
        />
      )}
    </Space>
  );
}
