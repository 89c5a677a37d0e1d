import { Menu, type MenuProps } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link, useLocation } from 'react-router';
import { useTenant } from '../api/tenant-choice';
import { menuVisible, pages, sections } from './pages';
import { useCurrentSession } from './require-session';

/** The sections and entries of the page table that this user can use; empty sections do not show. */
export function Sidebar() {
  const { t } = useTranslation();
  const session = useCurrentSession();
  const { tenant } = useTenant();
  const location = useLocation();
  const items: MenuProps['items'] = sections
    .map((section) => ({
      type: 'group' as const,
      key: section.key,
      label: <span style={{ textTransform: 'uppercase', letterSpacing: 1 }}>{t(section.label)}</span>,
      children: pages
        .filter((p) => p.menu?.section === section.key && menuVisible(p, session, { tenant }))
        .map((p) => ({
          key: `/${p.path}`,
          icon: p.menu?.icon,
          label: <Link to={`/${p.path}`}>{p.menu ? t(p.menu.label) : p.path}</Link>,
        })),
    }))
    .filter((group) => group.children.length > 0);
  const selected = `/${location.pathname.split('/')[1] ?? ''}`;
  return <Menu theme="dark" mode="inline" items={items} selectedKeys={[selected]} data-testid="sidebar" />;
}
