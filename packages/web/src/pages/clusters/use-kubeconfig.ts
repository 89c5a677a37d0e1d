import { useMutation } from '@tanstack/react-query';
import { App } from 'antd';
import { useTranslation } from 'react-i18next';
import { download, enc } from '../../api/client';

/** Downloads a kubeconfig for the proxy of one cluster (with a new API token of the caller's). */
export function useKubeconfigDownload() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  return useMutation({
    mutationFn: (cluster: string) =>
      download(`/api/v1/clusters/${enc(cluster)}/kubeconfig`, `shipyard-${cluster}.kubeconfig`),
    onSuccess: (_r, cluster) => void message.success(t('kubeconfig.downloaded', { cluster })),
  });
}
