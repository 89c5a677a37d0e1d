import { Menu, type MenuProps } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link, useLocation } from 'react-router';
import { useNavContext } from './nav-context';
import { menuVisible, pages, sections } from './pages';
import { useCurrentSession } from './require-session';

/**
 * The sections and entries of the page table that this user can use; empty sections do not show. Entries
 * appear all at once, when the server has said what the user may read (`data-ready`), never a partial menu.
 */
export function Sidebar() {
  const { t } = useTranslation();
  const session = useCurrentSession();
  const nav = useNavContext();
  const location = useLocation();
  const items: MenuProps['items'] = !nav.ready
    ? []
    : sections
        .map((section) => ({
          type: 'group' as const,
          key: section.key,
          label: <span style={{ textTransform: 'uppercase', letterSpacing: 1 }}>{t(section.label)}</span>,
          children: pages
            .filter((p) => p.menu?.section === section.key && menuVisible(p, session, nav))
            .map((p) => ({
              key: `/${p.path}`,
              icon: p.menu?.icon,
              label: <Link to={`/${p.path}`}>{p.menu ? t(p.menu.label) : p.path}</Link>,
            })),
        }))
        .filter((group) => group.children.length > 0);
  const selected = `/${location.pathname.split('/')[1] ?? ''}`;
  return (
    <Menu
      theme="dark"
      mode="inline"
      items={items}
      selectedKeys={[selected]}
      data-testid="sidebar"
      data-ready={nav.ready}
    />
  );
}
