// The tenancy pages as the system administrator and a tenant administrator use them, in Debian's Chromium
// against a real server and the run's shared local cluster (joined directly): the admin creates a tenant with a
// quota on the cluster; a tenant admin (bound through the API) picks the tenant, creates a partition within
// quota that becomes Ready, sees the refusals (over quota, before sending; a namespace taken, from the server)
// next to their fields, edits its network policy, creates a group and grants it the Developers template; 中文;
// the admin sees the tenant's quotas, members and partitions. Screenshots of each page go to .tmp/e2e-artifacts/.
import { execFileSync } from 'node:child_process';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { kubectl } from '@shipyard/localkube';
import { joinDirect, leaveDirect } from '../packages/server/src/testing/clusters.js';
import {
  ApiClient,
  eventually,
  startTestServer,
  testAdminPassword,
  type TestServer,
} from '../packages/server/src/testing/server.js';
import { launchChromium } from './browser.js';
import { ConsolePage } from './console-page.js';

const kubeconfig = inject('kubeconfig');
const run = Date.now().toString(36);
const cluster = `e2e-ten-${run}`; // the shared cluster, joined directly
const tenant = `e2e-${run}`;
const tenantLabel = `E2E Tenant ${run}`;
const tenantAdmin = `e2e-tadmin-${run}`;
const developer = `e2e-dev-${run}`;
const viewer = `e2e-viewer-${run}`; // a grant on one partition only
const password = 'e2e-tenancy-password';
const partition = `${tenant}-web`;
const group = `${tenant}-qa`;
const storageClass = `e2e-fast-${run}`; // made in the cluster: offered in the quota form

let server: TestServer;
let admin: ApiClient;
let browser: Browser;
let adminContext: BrowserContext;
let tenantContext: BrowserContext;
let ui: ConsolePage; // the system admin
let ta: ConsolePage; // the tenant admin

type Partition = {
  spec: { hard: Record<string, string>; networkPolicy?: { rules: unknown[] } };
  status?: { conditions?: { type: string; status: string }[] };
};
type Binding = {
  metadata: { name: string };
  spec: { roleTemplate: string; scope: { level: string; name?: string } };
};

beforeAll(async () => {
  execFileSync('bash', ['scripts/build-web.sh'], { stdio: ['ignore', 'inherit', 'inherit'] });
  server = await startTestServer(kubeconfig);
  admin = await ApiClient.signedIn(server.url, 'admin', testAdminPassword);
  await joinDirect(admin, kubeconfig, cluster, kubeconfig);
  await kubectl(
    { kubeconfig },
    ['apply', '-f', '-'],
    JSON.stringify({
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: { name: storageClass },
      provisioner: 'kubernetes.io/no-provisioner',
    }),
  );
  for (const name of [tenantAdmin, developer, viewer]) {
    const r = await admin.post('/api/v1/users', { metadata: { name }, spec: { password } });
    expect(r.status).toBe(201);
  }
  browser = await launchChromium();
  adminContext = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'en-US' });
  tenantContext = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'en-US' });
  ui = new ConsolePage(await adminContext.newPage(), server.url);
  ta = new ConsolePage(await tenantContext.newPage(), server.url);
});

/** Grants a user a template at a scope, through the API as the admin (the binding is named for the user). */
async function bindUser(user: string, roleTemplate: string, scope: { level: string; name: string }) {
  const bound = await admin.post('/api/v1/roletemplatebindings', {
    metadata: { name: user },
    spec: { subject: { kind: 'User', name: user }, roleTemplate, scope },
  });
  expect(bound.status, JSON.stringify(bound.body)).toBe(201);
}

afterAll(async () => {
  await browser?.close();
  // The tenant takes its partitions, groups and every grant on it along.
  await admin?.del(`/api/v1/tenants/${tenant}?cascade=true`);
  for (const name of [tenantAdmin, developer, viewer]) await admin?.del(`/api/v1/users/${name}`);
  await leaveDirect({ admin, management: kubeconfig, names: [cluster] });
  await kubectl({ kubeconfig }, ['delete', 'storageclass', storageClass, '--ignore-not-found']);
  await server?.close();
});

describe('the tenancy pages', () => {
  it('lets the admin create a tenant with a quota on a cluster, checking names and quantities first', async () => {
    await ui.goto('/tenants');
    await ui.signIn('admin', testAdminPassword);
    await ui.page.getByRole('button', { name: 'Create tenant' }).click();
    const form = ui.page.getByTestId('tenant-form');
    await ui.field('Identifier').getByRole('textbox').fill('Not_A_Name');
    await ui.field('Display name').getByRole('textbox').fill(tenantLabel);
    await ui.choose(ui.page.getByTestId('quota-cluster-0'), cluster);
    const quota = ui.page.getByTestId('quota-0');
    const fill = (label: string, value: string) => ui.field(label, quota).getByRole('textbox').fill(value);
    await fill('CPU request', '4');
    await fill('CPU limit', '8');
    await fill('Memory request', '8Gi');
    await fill('Memory limit', '16Gi');
    await fill('Pods', '5 0');
    await quota.getByRole('button', { name: 'Add a storage class' }).click();
    // The cluster's storage classes are offered; another name may be typed (and is flagged on the tenant).
    const sc = ui.field('Storage class', quota).getByRole('combobox');
    await sc.click();
    await ui.page
      .locator('.ant-select-dropdown:visible .ant-select-item-option')
      .filter({ hasText: storageClass })
      .waitFor();
    await sc.fill('standard');
    await ui.page.keyboard.press('Escape');
    await fill('Volumes', '5');
    await fill('Total capacity', '30Gi');
    await ui.field('L4 ports from', quota).getByRole('spinbutton').fill('20000');
    await ui.field('to', quota).getByRole('spinbutton').fill('21000');
    await ui.field('L7 protocol', quota).getByRole('switch').click();
    await ui.page.getByTestId('tenant-submit').click();
    // Checked as the API checks them, before anything is sent.
    await ui.field('Identifier').getByText('Must be lowercase letters, digits and "-"').waitFor();
    await ui.field('Pods', quota).getByText('Must be a quantity such as 500m').waitFor();
    await ui.screenshot('tenant-form-errors');
    await ui.field('Identifier').getByRole('textbox').fill(tenant);
    await fill('Pods', '50');
    await form.getByTestId('tenant-submit').click();

    await ui.page.waitForURL(`${server.url}/tenants/${tenant}`);
    await ui.page.getByTestId('tenant-title').getByText(tenantLabel).waitFor();
    const t = await admin.get<{ spec: { clusters: unknown[] } }>(`/api/v1/tenants/${tenant}`);
    expect(t.body.spec.clusters).toEqual([
      {
        cluster,
        hard: {
          'requests.cpu': '4',
          'limits.cpu': '8',
          'requests.memory': '8Gi',
          'limits.memory': '16Gi',
          pods: '50',
          'standard.storageclass.storage.k8s.io/persistentvolumeclaims': '5',
          'standard.storageclass.storage.k8s.io/requests.storage': '30Gi',
        },
        loadBalancer: { l4PortRange: '20000-21000', l7: true },
      },
    ]);
    const quotas = ui.page.getByTestId('tenant-quotas');
    expect(await quotas.getByTestId('quota-compute').innerText()).toMatch(/CPU request\s+0 \/ 4 cores/);
    // The cluster has no class "standard": the tenant says so.
    await quotas.getByTestId('class-missing-standard').waitFor();
    expect(await quotas.getByTestId('quota-volumes').innerText()).toMatch(
      /standard\s+not in the cluster\s+0 \/ 5\s+0 \/ 30 GiB/,
    );
    expect(await quotas.innerText()).toMatch(/L4 port range\s+20000 – 21000/);
    await ui.screenshot('tenant-detail');
  });

  it('lets a tenant admin pick the tenant and create a partition within quota, which becomes Ready', async () => {
    await bindUser(tenantAdmin, 'tenant-admin', { level: 'tenant', name: tenant });
    await ta.goto('/');
    await ta.signIn(tenantAdmin, password);
    // Their home is their tenant's partitions; their sidebar: APPLICATION and MANAGEMENT, and only what works for them.
    await ta.page.waitForURL(`${server.url}/partitions`);
    expect(await ta.sidebar().innerText()).toMatch(/APPLICATION\s+Partitions\s+MANAGEMENT\s+Access Control$/);
    await ta.tenant(tenantLabel);
    await ta.open('Partitions');
    await ta.screenshot('partitions-empty');
    await ta.page.getByRole('button', { name: 'Create partition' }).click();
    const form = ta.page.getByTestId('partition-form');
    await form.getByTestId('partition-name').fill(partition);
    // The tenant has quota on one cluster: it is chosen, and what the tenant has left there shows.
    const left = form.getByTestId('cluster-resources');
    await left.getByTestId('remaining-requests.cpu').getByText('4 / 4 cores').waitFor();
    expect(await left.getByTestId('remaining-limits.memory').innerText()).toBe('16 / 16 GiB');
    await ta.field('CPU request', form).getByRole('textbox').fill('2');
    await ta.field('CPU limit', form).getByRole('textbox').fill('4');
    await ta.field('Memory request', form).getByRole('textbox').fill('4Gi');
    await ta.field('Memory limit', form).getByRole('textbox').fill('8Gi');
    await ta.screenshot('partition-create');
    await form.getByTestId('partition-submit').click();

    await ta.page.waitForURL(`${server.url}/partitions/${partition}`);
    await ta.page
      .getByTestId('partition-ready')
      .getByText('Ready', { exact: true })
      .waitFor({ timeout: 90_000 });
    const p = await admin.get<Partition>(`/api/v1/partitions/${partition}`);
    expect(p.body.spec.hard).toEqual({
      'requests.cpu': '2',
      'limits.cpu': '4',
      'requests.memory': '4Gi',
      'limits.memory': '8Gi',
    });
    await ta.screenshot('partition-detail');
  });

  it("offers a tenant admin their tenant's cluster's kubeconfig, and no cluster pages", async () => {
    // They list no Cluster, yet reach the clusters of their tenant's quota: those are offered.
    await ta.userMenu('Download kubeconfig');
    const dialog = ta.page.getByRole('dialog');
    await dialog.getByTestId('kubeconfig-cluster').getByText(cluster, { exact: true }).waitFor();
    const [file] = await Promise.all([
      ta.page.waitForEvent('download'),
      dialog.getByRole('button', { name: 'Download' }).click(),
    ]);
    expect(file.suggestedFilename()).toBe(`shipyard-${cluster}.kubeconfig`);
    await dialog.waitFor({ state: 'detached' });
    // The cluster pages are not theirs: they say so, and offer no registering.
    for (const page of ['/clusters', '/nodes', `/clusters/${cluster}`]) {
      await ta.goto(page);
      const state = ta.page.getByTestId('error-state');
      await state.getByText('No permission').waitFor();
      expect(await state.innerText(), page).toContain('Your grants do not include this page.');
      expect(await ta.page.getByText('register', { exact: false }).count(), page).toBe(0);
    }
    await ta.screenshot('clusters-tenant-admin');
    await ta.goto('/partitions');
  });

  it('refuses a partition over the remaining quota, and shows the server refusing a taken namespace', async () => {
    await ta.open('Partitions');
    await ta.row('partitions-table', partition).getByText('Ready', { exact: true }).waitFor();
    await ta.screenshot('partitions');
    await ta.page.getByRole('button', { name: 'Create partition' }).click();
    const form = ta.page.getByTestId('partition-form');
    await form.getByTestId('remaining-requests.cpu').getByText('2 / 4 cores').waitFor();
    await form.getByTestId('partition-name').fill(`${tenant}-big`);
    await ta.field('CPU request', form).getByRole('textbox').fill('3');
    await form.getByTestId('partition-submit').click();
    await ta
      .field('CPU request', form)
      .getByText(`3 exceeds the tenant remaining 2 cores on cluster ${cluster}`)
      .waitFor();
    await ta.screenshot('partition-over-quota');
    // Within quota, but in the namespace of the first partition: only the server knows, and says so there.
    await ta.field('CPU request', form).getByRole('textbox').fill('1');
    await form.getByTestId('partition-namespace').fill(partition);
    await form.getByTestId('partition-submit').click();
    await ta
      .field('Namespace', form)
      .getByText(`namespace ${partition} on cluster ${cluster} is already used by partition ${partition}`)
      .waitFor();
    expect((await admin.get(`/api/v1/partitions/${tenant}-big`)).status).toBe(404);
    await form.getByRole('button', { name: 'Cancel' }).click();
  });

  it("saves the partition's network policy", async () => {
    await ta.row('partitions-table', partition).getByRole('link', { name: partition }).click();
    await ta.page.getByRole('tab', { name: 'Network policy' }).click();
    const editor = ta.page.getByTestId('network-policy');
    await editor.getByRole('button', { name: 'Add a rule' }).click();
    const rule = editor.getByTestId('rule-0');
    await ta.choose(ta.field('Peer', rule).locator('.ant-select'), 'CIDR');
    await ta.field('CIDR', rule).getByRole('textbox').fill('10.0.0/8');
    await ta.field('Ports', rule).getByRole('spinbutton').fill('4000');
    await ta.field('To port', rule).getByRole('spinbutton').fill('6000');
    // One rule is one row, at 1280 wide too.
    await ta.page.setViewportSize({ width: 1280, height: 720 });
    const controls = await rule
      .locator('.ant-form-item')
      .evaluateAll((items) =>
        items.map((i) =>
          Math.round(
            (i as unknown as { getBoundingClientRect(): { top: number } }).getBoundingClientRect().top,
          ),
        ),
      );
    expect(new Set(controls).size, JSON.stringify(controls)).toBe(1);
    expect(await ta.inViewport(rule.getByRole('button', { name: 'Remove' }))).toBe(true);
    await ta.screenshot('partition-network-policy-1280');
    await ta.page.setViewportSize({ width: 1440, height: 900 });
    await editor.getByTestId('network-save').click();
    await ta.field('CIDR', rule).getByText('Must be an IPv4 CIDR').waitFor();
    await ta.field('CIDR', rule).getByRole('textbox').fill('10.0.0.0/8');
    await editor.getByTestId('network-save').click();
    await ta.page.getByText('Network policy saved').waitFor();
    const p = await admin.get<Partition>(`/api/v1/partitions/${partition}`);
    expect(p.body.spec.networkPolicy?.rules).toEqual([
      { direction: 'In', cidr: '10.0.0.0/8', protocol: 'TCP', ports: '4000-6000' },
    ]);
    await ta.screenshot('partition-network-policy');
  });

  it('creates a group with a member and grants it the Developers template', async () => {
    await ta.open('Access Control');
    const defaults = ta.row('groups-table', 'Default Team');
    await defaults.getByText('All members', { exact: true }).waitFor();
    for (const team of ['SREs', 'Developers', 'Resource', 'Support'])
      await ta.row('groups-table', team).waitFor();
    await ta.screenshot('groups');
    await ta.page.getByRole('button', { name: 'Create group' }).click();
    const dialog = ta.page.getByRole('dialog');
    await dialog.getByTestId('group-name').fill(group);
    await dialog.getByTestId('group-display-name').fill('QA Testers');
    await dialog.getByTestId('group-members').click();
    await ta.page.keyboard.type(developer);
    await ta.page.keyboard.press('Enter');
    await dialog.getByTestId('group-submit').click();
    await dialog.waitFor({ state: 'detached' });
    await ta.row('groups-table', 'QA Testers').getByText('1 person').waitFor();

    await ta.row('groups-table', 'QA Testers').getByRole('link', { name: 'QA Testers' }).click();
    await ta.table('group-member-list').getByText(developer).waitFor();
    await ta.page.getByRole('tab', { name: 'Permissions' }).click();
    await ta.search(ta.page.getByTestId('grant-template'), 'Developers', 'Developers (team-developers)');
    await ta.page.getByTestId('grant-submit').click();
    await ta.table('group-bindings').getByText('Developers (team-developers)').waitFor();
    // A partition-level template goes to one partition; it can be removed again.
    await ta.search(ta.page.getByTestId('grant-template'), 'viewer', 'Partition viewer (partition-viewer)');
    await ta.choose(ta.page.getByTestId('grant-partition'), partition);
    await ta.page.getByTestId('grant-submit').click();
    const viewer = ta.table('group-bindings').locator('tr').filter({ hasText: 'partition-viewer' });
    await viewer.getByRole('link', { name: partition }).waitFor();
    await ta.screenshot('group-permissions');
    await viewer.getByRole('button', { name: 'Remove' }).click();
    await ta.page.locator('.ant-popconfirm').getByRole('button', { name: 'Remove' }).click();
    await viewer.waitFor({ state: 'detached' });

    const bindings = await admin.get<{ items: Binding[] }>(
      `/api/v1/roletemplatebindings?filter=spec.subject.name=${group}`,
    );
    expect(bindings.body.items.map((b) => [b.spec.roleTemplate, b.spec.scope])).toEqual([
      ['team-developers', { level: 'tenant', name: tenant }],
    ]);
    const g = await admin.get<{ spec: { tenant: string; members: string[] } }>(`/api/v1/groups/${group}`);
    expect(g.body.spec).toMatchObject({ tenant, members: [developer] });
    // The developer is in the group now, with the template's grant on the tenant.
    const dev = await ApiClient.signedIn(server.url, developer, password);
    const session = await dev.get<{ grants: { template: string; scope: { name?: string } }[] }>(
      '/api/v1/session',
    );
    expect(session.body.grants).toContainEqual({
      template: 'team-developers',
      scope: { level: 'tenant', name: tenant },
    });
  });

  it('offers a developer only what they may do, and a partition-only viewer their tenant', async () => {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'en-US' });
    try {
      const dev = new ConsolePage(await context.newPage(), server.url);
      await dev.goto('/');
      await dev.signIn(developer, password);
      await dev.page.waitForURL(`${server.url}/partitions`);
      await dev.row('partitions-table', partition).waitFor();
      // Developers deploy into partitions; allocating them and changing teams is not theirs (the server says).
      await dev.open('Access Control');
      await dev.row('groups-table', 'QA Testers').waitFor();
      await dev.open('Partitions');
      await dev.row('partitions-table', partition).waitFor();
      for (const action of ['Create partition', 'Resize', 'Delete']) {
        expect(await dev.page.getByRole('button', { name: action }).count(), action).toBe(0);
      }
      await dev.open('Access Control');
      await dev.row('groups-table', 'QA Testers').waitFor();
      expect(await dev.page.getByRole('button', { name: 'Create group' }).count()).toBe(0);
      await dev.screenshot('groups-developer');
      expect(dev.problems).toEqual([]);

      // A grant on one partition: the session names its tenant, which the console then works in.
      await bindUser(viewer, 'partition-viewer', { level: 'partition', name: partition });
      const session = await (
        await ApiClient.signedIn(server.url, viewer, password)
      ).get<{ tenants: string[] }>('/api/v1/session');
      expect(session.body.tenants).toEqual([tenant]);
      const view = new ConsolePage(await context.newPage(), server.url);
      await view.goto('/');
      await view.userMenu('Sign out'); // the developer's session, shared by the context
      await view.signIn(viewer, password);
      await view.page.waitForURL(`${server.url}/partitions`);
      await view.row('partitions-table', partition).waitFor();
      expect(await view.page.getByRole('button', { name: 'Create partition' }).count()).toBe(0);
      await view.screenshot('partitions-viewer');
    } finally {
      await context.close();
    }
  });

  it('switches to 中文 and back', async () => {
    await ta.open('Partitions');
    await ta.language('中文');
    await ta.sidebar().getByRole('link', { name: '分区', exact: true }).waitFor();
    expect(await ta.sidebar().innerText()).toMatch(/应用\s+分区\s+管理\s+访问控制$/);
    await ta.page.getByRole('button', { name: /新增分区/ }).waitFor();
    await ta.row('partitions-table', partition).getByText('就绪', { exact: true }).waitFor();
    await ta.screenshot('partitions-zh');
    await ta.open('访问控制');
    // The seeded teams in 中文 too (a team named anew keeps its name).
    const team = ta.row('groups-table', '默认团队');
    await team.getByText('全部成员', { exact: true }).waitFor();
    expect(await team.innerText()).toContain('租户全体成员的默认团队');
    for (const name of ['SRE', '开发者', '资源', '支持']) await ta.row('groups-table', name).waitFor();
    await ta.row('groups-table', 'QA Testers').waitFor();
    await ta.screenshot('groups-zh');
    await ta.language('English');
    await ta.sidebar().getByRole('link', { name: 'Partitions', exact: true }).waitFor();
  });

  it("shows the admin the tenant's quotas, members and partitions", async () => {
    // An admin has no tenant until they pick one; then its pages show, and the choice is remembered.
    expect(await ui.sidebar().innerText()).not.toContain('Partitions');
    await ui.tenant(tenantLabel);
    await ui.sidebar().getByRole('link', { name: 'Partitions', exact: true }).waitFor();
    await ui.page.reload();
    expect(await ui.sidebar().innerText()).toMatch(
      /APPLICATION\s+Partitions\s+MANAGEMENT\s+Tenants\s+Access Control\s+Audit logs$/,
    );
    await ui.open('Tenants');
    await ui.row('tenants-table', tenant).getByRole('link', { name: tenant }).click();
    const compute = ui.page.getByTestId('tenant-quotas').getByTestId('quota-compute');
    await compute.getByText('2 / 4 cores').first().waitFor();
    expect(await compute.innerText()).toMatch(/Memory limit\s+8 \/ 16 GiB/);
    await ui.screenshot('tenant-quotas');
    await ui.page.getByRole('tab', { name: 'Members' }).click();
    await ui.row('tenant-members', 'QA Testers').getByText(developer).waitFor();
    await ui.row('tenant-members', 'Default Team').getByText('All members', { exact: true }).waitFor();
    await ui.screenshot('tenant-members');
    await ui.page.getByRole('tab', { name: 'Partition Stats' }).click();
    const stats = ui.row('partition-stats', partition);
    await stats.waitFor();
    expect(await stats.innerText()).toMatch(/CPU request: 2 \/ 4 cores \(50%\)/);
    await ui.screenshot('tenant-partition-stats');
    // Raising a quota: the edit form reads the tenant back into its rows.
    await ui.page.getByRole('button', { name: 'Edit' }).click();
    const quota = ui.page.getByTestId('quota-0');
    expect(await ui.field('Volumes', quota).getByRole('textbox').inputValue()).toBe('5');
    await ui.field('CPU request', quota).getByRole('textbox').fill('1');
    await ui.page.getByTestId('tenant-submit').click();
    // Below what partitions hold: the server refuses, at the field.
    await ui
      .field('CPU request', quota)
      .getByText(/requests\.cpu/)
      .waitFor();
    await ui.field('CPU request', quota).getByRole('textbox').fill('6');
    await ui.page.getByTestId('tenant-submit').click();
    await ui.page.waitForURL(`${server.url}/tenants/${tenant}`);
    await compute.getByText('2 / 6 cores').first().waitFor();
  });

  it('keeps the partitions and groups actions in view at 1280×720', async () => {
    await ta.page.setViewportSize({ width: 1280, height: 720 });
    try {
      await ta.open('Partitions');
      const del = ta.row('partitions-table', partition).getByRole('button', { name: 'Delete' });
      await del.waitFor();
      expect(await ta.inViewport(del)).toBe(true);
      expect(await ta.overflowX()).toBe(0);
      await ta.screenshot('partitions-1280');
      await ta.open('Access Control');
      const row = ta.row('groups-table', 'QA Testers');
      await row.waitFor();
      const last = row.locator('td').last().getByRole('button').first();
      expect(await ta.inViewport(last)).toBe(true);
      expect(await ta.overflowX()).toBe(0);
      await ta.screenshot('groups-1280');
    } finally {
      await ta.page.setViewportSize({ width: 1440, height: 900 });
    }
  });

  it('lets the tenant admin delete the partition', async () => {
    await ta.open('Partitions');
    const row = ta.row('partitions-table', partition);
    await row.getByRole('button', { name: 'Delete' }).click();
    await ta.page.locator('.ant-popconfirm').getByRole('button', { name: 'Delete' }).click();
    await row.waitFor({ state: 'detached' });
    await eventually('the partition gone', async () =>
      (await admin.get(`/api/v1/partitions/${partition}`)).status === 404 ? true : undefined,
    );
    expect(ta.problems).toEqual([]);
    expect(ui.problems).toEqual([]);
  });

  it('lets the admin delete the tenant, with its partitions only when asked to', async () => {
    const extra = `${tenant}-extra`;
    const made = await admin.post('/api/v1/partitions', {
      metadata: { name: extra },
      spec: { tenant, cluster, hard: { 'requests.cpu': '1' } },
    });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    await ui.goto(`/tenants/${tenant}`);
    await ui.page.getByRole('button', { name: 'Delete' }).click();
    const dialog = ui.page.getByTestId('delete-tenant');
    await dialog.getByText('It has 1 partition: the tenant is deleted only with it.').waitFor();
    const confirm = ui.page.getByRole('dialog').getByRole('button', { name: 'Delete' });
    expect(await confirm.isDisabled()).toBe(true);
    await dialog.getByText('Also delete its partition', { exact: false }).click();
    await ui.screenshot('tenant-delete');
    await confirm.click();
    await ui.page.waitForURL(`${server.url}/tenants`);
    await eventually('the tenant and its partition gone', async () =>
      (await admin.get(`/api/v1/tenants/${tenant}`)).status === 404 &&
      (await admin.get(`/api/v1/partitions/${extra}`)).status === 404
        ? true
        : undefined,
    );
    expect(ui.problems).toEqual([]);
  });
});
