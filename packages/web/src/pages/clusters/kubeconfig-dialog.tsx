import { Alert, Form, Modal, Select, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { defaultCluster, useReachableClusters } from '../../api/platform';
import { useKubeconfigDownload } from './use-kubeconfig';

/** From the user menu: choose one of the clusters the user reaches (a Ready one first), get its kubeconfig. */
export default function KubeconfigDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const clusters = useReachableClusters();
  const download = useKubeconfigDownload();
  const [chosen, setCluster] = useState<string>();
  const cluster = chosen ?? defaultCluster(clusters.data ?? []);
  return (
    <Modal
      open={open}
      title={t('kubeconfig.title')}
      okText={t('kubeconfig.download')}
      cancelText={t('common.cancel')}
      okButtonProps={{ disabled: !cluster, loading: download.isPending }}
      onOk={() => cluster && download.mutate(cluster, { onSuccess: onClose })}
      onCancel={onClose}
    >
      <Typography.Paragraph type="secondary">{t('kubeconfig.intro')}</Typography.Paragraph>
      <Form layout="vertical">
        <Form.Item
          label={t('kubeconfig.cluster')}
          validateStatus={download.error ? 'error' : undefined}
          help={download.error?.message}
        >
          <Select
            data-testid="kubeconfig-cluster"
            showSearch
            value={cluster}
            onChange={setCluster}
            loading={clusters.isLoading}
            options={clusters.data?.map((c) => ({ value: c.name, label: c.displayName || c.name }))}
            notFoundContent={clusters.isSuccess ? t('kubeconfig.none') : undefined}
          />
        </Form.Item>
      </Form>
      {clusters.error && <Alert type="warning" showIcon title={clusters.error.message} />}
    </Modal>
  );
}
