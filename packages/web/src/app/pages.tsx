/**
 * Every page of the console, in one table: its route, and (if it has one) its entry in the sidebar. Adding a
 * page is one entry here; the router (router.tsx) and the sidebar (sidebar.tsx) read this table and nothing
 * else. A menu entry shows only to users it can work for (`visible`), and a section only when it has entries:
 * no dead links. Within a section, entries keep the order of this table.
 */
import {
  AppstoreOutlined,
  AuditOutlined,
  ClusterOutlined,
  HddOutlined,
  SafetyOutlined,
  TeamOutlined,
} from '@ant-design/icons';
import type { ParseKeys } from 'i18next';
import type { ComponentType, ReactNode } from 'react';
import { seesClusters } from '../api/access';
import type { Session } from '../api/session';
import type { NavContext } from './nav-context';

/** Sidebar sections, in order: the system admin's RESOURCE, the chosen tenant's APPLICATION, MANAGEMENT. */
export const sections = [
  { key: 'resource', label: 'nav.sections.resource' },
  { key: 'application', label: 'nav.sections.application' },
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
  visible?: (s: Session, ctx: NavContext) => boolean;
  /** Whether the page can work for this user at all: when not, its address shows the no-permission state. */
  allowed?: (s: Session) => boolean;
};

/** The chosen tenant's pages: once there is one (tenant users have theirs at once, admins pick one). */
const inTenant = (_s: Session, ctx: NavContext) => ctx.tenant !== undefined;

export const pages: PageDef[] = [
  {
    path: 'nodes',
    load: () => import('../pages/nodes/nodes-page'),
    menu: { section: 'resource', label: 'nav.nodes', icon: <HddOutlined /> },
    visible: seesClusters,
    allowed: seesClusters,
  },
  {
    path: 'clusters',
    load: () => import('../pages/clusters/clusters-page'),
    menu: { section: 'resource', label: 'nav.clusters', icon: <ClusterOutlined /> },
    visible: seesClusters,
    allowed: seesClusters,
  },
  {
    path: 'clusters/:name',
    load: () => import('../pages/clusters/cluster-detail-page'),
    allowed: seesClusters,
  },
  {
    path: 'partitions',
    load: () => import('../pages/partitions/partitions-page'),
    menu: { section: 'application', label: 'nav.partitions', icon: <AppstoreOutlined /> },
    visible: inTenant,
  },
  // `~new` is no partition's name (names are DNS labels), so it never hides one.
  { path: 'partitions/~new', load: () => import('../pages/partitions/partition-form-page') },
  { path: 'partitions/:name', load: () => import('../pages/partitions/partition-detail-page') },
  { path: 'partitions/:name/edit', load: () => import('../pages/partitions/partition-form-page') },
  {
    path: 'tenants',
    load: () => import('../pages/tenants/tenants-page'),
    menu: { section: 'management', label: 'nav.tenants', icon: <TeamOutlined /> },
    visible: (_s, ctx) => ctx.may.tenants,
  },
  { path: 'tenants/~new', load: () => import('../pages/tenants/tenant-form-page') },
  { path: 'tenants/:name', load: () => import('../pages/tenants/tenant-detail-page') },
  { path: 'tenants/:name/edit', load: () => import('../pages/tenants/tenant-form-page') },
  {
    path: 'groups',
    load: () => import('../pages/groups/groups-page'),
    menu: { section: 'management', label: 'nav.accessControl', icon: <SafetyOutlined /> },
    visible: inTenant,
  },
  { path: 'groups/:name', load: () => import('../pages/groups/group-detail-page') },
  {
    path: 'audit',
    load: () => import('../pages/audit/audit-page'),
    menu: { section: 'management', label: 'nav.audit', icon: <AuditOutlined /> },
    visible: (_s, ctx) => ctx.may.audit,
  },
  // Reached from the user menu, for everyone.
  { path: 'tokens', load: () => import('../pages/tokens/tokens-page') },
];

export const menuVisible = (p: PageDef, s: Session, ctx: NavContext) =>
  !!p.menu && (p.visible?.(s, ctx) ?? true);

/** Where `/` leads: the clusters for those who see them, else the first menu entry, else the tokens page. */
export function homePath(s: Session, ctx: NavContext): string {
  if (seesClusters(s)) return '/clusters';
  const first = pages.find((p) => menuVisible(p, s, ctx));
  return `/${first?.path ?? 'tokens'}`;
}
