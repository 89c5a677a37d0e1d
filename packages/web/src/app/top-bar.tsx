import { Badge, Flex, Space, Tooltip } from 'antd';
import { useTranslation } from 'react-i18next';
import { useWatchStatus } from '../api/watch';
import { LanguageSwitch } from '../components/language-switch';
import { UserMenu } from './user-menu';

/** Language, the live channel's state, the user menu. */
export function TopBar() {
  return (
    <Flex justify="space-between" align="center" style={{ height: '100%' }}>
      {/* Context: the tenant switcher (tenant users) takes this place when the tenant pages land. */}
      <div data-testid="topbar-context" />
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
