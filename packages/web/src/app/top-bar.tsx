import { Badge, Flex, Space, Tooltip } from 'antd';
import { lazy, Suspense } from 'react';
import { useTranslation } from 'react-i18next';
import { useTenant } from '../api/tenant-choice';
import { useWatchStatus } from '../api/watch';
import { LanguageSwitch } from '../components/language-switch';
import { UserMenu } from './user-menu';

// Its own chunk: the frame's first paint does not wait for a Select.
const TenantSwitcher = lazy(() => import('./tenant-switcher'));

/** The tenant switcher (for those with tenants to choose from), the live channel's state, language, user menu. */
export function TopBar() {
  const { choices } = useTenant();
  return (
    <Flex justify="space-between" align="center" style={{ height: '100%' }}>
      <div data-testid="topbar-context">
        {(choices === 'any' || choices.length > 0) && (
          <Suspense fallback={null}>
            <TenantSwitcher />
          </Suspense>
        )}
      </div>
      <Space size="large">
        <LiveIndicator />
        <LanguageSwitch />
        <UserMenu />
      </Space>
    </Flex>
  );
}

function LiveIndicator() {
  const { t } = useTranslation();
  const status = useWatchStatus();
  const badge = {
    open: 'success',
    connecting: 'processing',
    reconnecting: 'warning',
    idle: 'default',
  } as const;
  return (
    <Tooltip title={t(`topbar.live.${status}`)}>
      <Badge status={badge[status]} data-testid="live-status" data-status={status} />
    </Tooltip>
  );
}
