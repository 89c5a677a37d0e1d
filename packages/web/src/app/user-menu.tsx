import { DownloadOutlined, KeyOutlined, LogoutOutlined, UserOutlined } from '@ant-design/icons';
import { Avatar, Button, Dropdown, Space } from 'antd';
import { lazy, Suspense, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { useSignOut } from '../api/session';
import { useCurrentSession } from './require-session';

// Loaded when opened: its form and cluster chooser stay out of the first page load.
const KubeconfigDialog = lazy(() => import('../pages/clusters/kubeconfig-dialog'));

/** API tokens, a kubeconfig, signing out. */
export function UserMenu() {
  const { t } = useTranslation();
  const session = useCurrentSession();
  const navigate = useNavigate();
  const signOut = useSignOut();
  const [kubeconfig, setKubeconfig] = useState(false);
  return (
    <>
      <Dropdown
        trigger={['click']}
        menu={{
          items: [
            { key: 'tokens', icon: <KeyOutlined />, label: t('topbar.tokens') },
            { key: 'kubeconfig', icon: <DownloadOutlined />, label: t('topbar.kubeconfig') },
            { type: 'divider' },
            { key: 'signout', icon: <LogoutOutlined />, label: t('topbar.signOut'), danger: true },
          ],
          onClick: ({ key }) => {
            if (key === 'tokens') void navigate('/tokens');
            if (key === 'kubeconfig') setKubeconfig(true);
            if (key === 'signout') signOut.mutate(undefined, { onSettled: () => void navigate('/login') });
          },
        }}
      >
        <Button type="text" data-testid="user-menu" style={{ height: 40 }}>
          <Space>
            <Avatar size="small" icon={<UserOutlined />} />
            {session.displayName || session.user}
          </Space>
        </Button>
      </Dropdown>
      {kubeconfig && (
        <Suspense>
          <KubeconfigDialog open onClose={() => setKubeconfig(false)} />
        </Suspense>
      )}
    </>
  );
}
