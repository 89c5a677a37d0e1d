/**
 * The user's API tokens (GET/POST/DELETE /api/v1/tokens): a new token's secret is shown once, in the dialog
 * that made it; the list never has it. Newest first, with when each was last used (to the minute). Kubeconfigs
 * downloaded from the console are tokens too.
 */
import { PlusOutlined } from '@ant-design/icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { App, Button, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, enc } from '../../api/client';
import { sources, type TokenView } from '../../api/platform';
import { formatTime } from '../../components/format';
import { ConfirmButton } from '../../components/confirm-button';
import { PageHeader } from '../../components/page-header';
import { ResourceTable, type ColumnDef } from '../../components/resource-table';
import { CreateTokenDialog } from './create-token-dialog';

export default function TokensPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [creating, setCreating] = useState(false);
  const revoke = useMutation({
    mutationFn: (token: TokenView) => api.del<TokenView>(`/api/v1/tokens/${enc(token.id)}`),
    onSuccess: (_r, token) => void message.success(t('tokens.revoked', { name: token.name ?? token.id })),
    onError: (err) => void message.error(err.message),
    onSettled: () => qc.invalidateQueries({ queryKey: sources.tokens.key }),
  });
  const columns: ColumnDef<TokenView>[] = [
    { key: 'name', title: t('tokens.name'), render: (x) => x.name ?? x.id },
    { key: 'created', title: t('common.created'), render: (x) => formatTime(x.createdAt) },
    { key: 'expires', title: t('tokens.expires'), render: (x) => formatTime(x.expiresAt) },
    {
      key: 'lastUsed',
      title: t('tokens.lastUsed'),
      render: (x) => (x.lastUsedAt ? formatTime(x.lastUsedAt) : t('tokens.neverUsed')),
    },
    {
      key: 'actions',
      title: t('common.actions'),
      render: (x) => (
        <ConfirmButton
          question={t('tokens.revokeConfirm', { name: x.name ?? x.id })}
          action={t('tokens.revoke')}
          onConfirm={() => revoke.mutateAsync(x)}
        />
      ),
    },
  ];
  return (
    <>
      <PageHeader
        title={t('tokens.title')}
        extra={
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>
            {t('tokens.create')}
          </Button>
        }
      >
        <Typography.Paragraph type="secondary" style={{ marginTop: 8, marginBottom: 0 }}>
          {t('tokens.intro')}
        </Typography.Paragraph>
      </PageHeader>
      <ResourceTable<TokenView>
        testId="tokens-table"
        source={sources.tokens}
        columns={columns}
        rowKey={(x) => x.id}
        emptyText={t('tokens.empty')}
      />
      {creating && <CreateTokenDialog onClose={() => setCreating(false)} />}
    </>
  );
}
