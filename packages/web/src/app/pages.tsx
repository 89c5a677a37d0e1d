/**
 * Every page of the console, in one table: its route, and (if it has one) its entry in the sidebar. Adding a
 * page is one entry here; the router (router.tsx) and the sidebar (sidebar.tsx) read this table and nothing
 * else. A menu entry shows only to users it can work for (`visible`), and a section only when it has entries:
 * no dead links. Within a section, entries keep the order of this table.
 */
import { AuditOutlined, ClusterOutlined, HddOutlined, TeamOutlined } from '@ant-design/icons';
import type { ParseKeys } from 'i18next';
import type { ComponentType, ReactNode } from 'react';
import { seesAudit, seesClusters, seesTenants } from '../api/access';
import type { Session } from '../api/session';

/** Sidebar sections, in order. Tenant users' sections (APPLICATION, …) come here as their pages land. */
export const sections = [
  { key: 'resource', label: 'nav.sections.resource' },
  { key: 'management', label: 'nav.sections.management' },
] as const satisfies readonly { key: string; label: ParseKeys }[];

export type SectionKey = (typeof sections)[number]['key'];

export type PageDef = {
  /** Route path under `/`, react-router syntax (`clusters/:name`). */
  path: string;
  /** The page module; its default export is the page. Loaded when first visited (its own chunk). */
  load: () => Promise<{ default: ComponentType }>;
  menu?: { section: SectionKey; label: ParseKeys; icon: ReactNode };
  /** Whether the menu entry shows for this user (the server still decides every request). */
  visible?: (s: Session) => boolean;
};

export const pages: PageDef[] = [
  {
    path: 'nodes',
    load: () => import('../pages/nodes/nodes-page'),
    menu: { section: 'resource', label: 'nav.nodes', icon: <HddOutlined /> },
    visible: seesClusters,
  },
  {
    path: 'clusters',
    load: () => import('../pages/clusters/clusters-page'),
    menu: { section: 'resource', label: 'nav.clusters', icon: <ClusterOutlined /> },
    visible: seesClusters,
  },
  { path: 'clusters/:name', load: () => import('../pages/clusters/cluster-detail-page') },
  {
    path: 'tenants',
    load: () => import('../pages/tenants/tenants-page'),
    menu: { section: 'management', label: 'nav.tenants', icon: <TeamOutlined /> },
    visible: seesTenants,
  },
  {
    path: 'audit',
    load: () => import('../pages/audit/audit-page'),
    menu: { section: 'management', label: 'nav.audit', icon: <AuditOutlined /> },
    visible: seesAudit,
  },
  // Reached from the user menu, for everyone.
  { path: 'tokens', load: () => import('../pages/tokens/tokens-page') },
];

/** Where `/` leads: the clusters for those who see them, else the first menu entry, else the tokens page. */
export function homePath(s: Session): string {
  if (seesClusters(s)) return '/clusters';
  const first = pages.find((p) => p.menu && (p.visible?.(s) ?? true));
  return `/${first?.path ?? 'tokens'}`;
}
