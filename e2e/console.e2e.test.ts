// The console as the system administrator uses it, in Debian's Chromium against a real server and the run's
// shared local cluster: sign-in, clusters (live), registering one, a cluster's detail, an unavailable cluster,
// nodes, the audit log, API tokens, a kubeconfig, a user without permission, 中文, sign-out.
// Screenshots of each page go to .tmp/e2e-artifacts/; the first-load time and the JS size are printed.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { kubectl } from '@shipyard/localkube';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { joinDirect } from '../packages/server/src/testing/clusters.js';
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
const joined = `e2e-${run}`; // the shared cluster, joined directly: Ready, 3 nodes
const registered = `e2e-agent-${run}`; // registered in the dialog, no agent ever runs: unavailable
const live = `e2e-live-${run}`; // made through the API while the page is open
const nobody = `e2e-nobody-${run}`; // a user without any grant
const nobodyPassword = 'e2e-nobody-password';

let server: TestServer;
let admin: ApiClient;
let browser: Browser;
let context: BrowserContext;
let ui: ConsolePage;

beforeAll(async () => {
  // The console's build, as `npm run setup` makes it (skipped while its sources are unchanged).
  execFileSync('bash', ['scripts/build-web.sh'], { stdio: ['ignore', 'inherit', 'inherit'] });
  server = await startTestServer(kubeconfig);
  admin = await ApiClient.signedIn(server.url, 'admin', testAdminPassword);
  await joinDirect(admin, kubeconfig, joined, kubeconfig);
  const u = await admin.post('/api/v1/users', {
    metadata: { name: nobody },
    spec: { password: nobodyPassword },
  });
  expect(u.status).toBe(201);
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'en-US' });
  ui = new ConsolePage(await context.newPage(), server.url);
});

afterAll(async () => {
  await browser?.close();
  for (const name of [joined, registered, live]) await admin?.del(`/api/v1/clusters/${name}`);
  await admin?.del(`/api/v1/users/${nobody}`);
  await kubectl({ kubeconfig }, [
    'delete',
    'secret',
    `kc-${joined}`,
    '-n',
    'shipyard-system',
    '--ignore-not-found',
  ]);
  await server?.close();
});

describe('the console', () => {
  it('loads the sign-in page, signs the admin in and lists the clusters', async () => {
    const sizes = JSON.parse(readFileSync('packages/web/dist/size.json', 'utf8')) as {
      initialJsGzip: number;
      totalJsGzip: number;
    };
    await ui.goto('/clusters');
    // Times from the start of the navigation, in the page (a browser's APIs; this file is typed for Node):
    // the load event, and the first animation frame with the sign-in form (after the session check and the
    // sign-in page's own chunk).
    const shown = await ui.page.waitForFunction(
      () => {
        const { document } = globalThis as unknown as { document: { querySelector(s: string): unknown } };
        return document.querySelector('form button[type=submit]') ? performance.now() : 0;
      },
      undefined,
      { polling: 'raf' }, // a function, not a string: the console's CSP forbids eval, rightly
    );
    const nav = await ui.page.evaluate<{ dcl: number; load: number }>(
      `(() => { const n = performance.getEntriesByType('navigation')[0];
        return { dcl: n.domContentLoadedEventEnd, load: n.loadEventEnd }; })()`,
    );
    console.log(
      `console first load (cold cache, local server): load event ${nav.load.toFixed(0)} ms, ` +
        `DOMContentLoaded ${nav.dcl.toFixed(0)} ms, sign-in form shown ${(await shown.jsonValue()).toFixed(0)} ms; ` +
        `JS gzipped: first load ${(sizes.initialJsGzip / 1024).toFixed(1)} KiB, all ${(sizes.totalJsGzip / 1024).toFixed(1)} KiB`,
    );
    expect(ui.page.url()).toBe(`${server.url}/login?next=%2Fclusters`);
    await ui.screenshot('sign-in');

    await ui.signIn('admin', testAdminPassword);
    expect(new URL(ui.page.url()).pathname).toBe('/clusters');
    // The status controller makes the joined cluster Ready; the list learns it over the watch channel.
    const row = ui.row('clusters-table', joined);
    await row.getByText('Ready', { exact: true }).waitFor({ timeout: 90_000 });
    expect(await row.textContent()).toContain('3 / 3');
    expect(await ui.page.getByTestId('live-status').getAttribute('data-status')).toBe('open');
    // Sections: only those whose pages work for this user.
    expect(await ui.sidebar().innerText()).toMatch(/RESOURCE[\s\S]*Nodes[\s\S]*Clusters[\s\S]*MANAGEMENT/);
    await ui.screenshot('clusters');
  });

  it('updates the list live when a cluster is added or removed elsewhere', async () => {
    const made = await admin.post('/api/v1/clusters', {
      metadata: { name: live },
      spec: { connection: { mode: 'agent' } },
    });
    expect(made.status).toBe(201);
    await ui.row('clusters-table', live).waitFor({ timeout: 10_000 });
    await admin.del(`/api/v1/clusters/${live}`);
    await ui.row('clusters-table', live).waitFor({ state: 'detached', timeout: 10_000 });
  });

  it('registers a cluster: checks the name, puts the API error at the field, shows the agent command', async () => {
    await ui.page.getByRole('button', { name: 'Register cluster' }).click();
    const dialog = ui.page.getByRole('dialog');
    const name = dialog.getByTestId('cluster-name');
    await name.fill('Not_A_Name');
    await dialog.getByRole('button', { name: 'Register' }).click();
    await dialog.getByText('Must be lowercase letters, digits and "-"').waitFor();
    // Taken: the API's 409 names metadata.name, so it shows under the name.
    await name.fill(joined);
    await dialog.getByRole('button', { name: 'Register' }).click();
    await dialog.getByText(`cluster "${joined}" already exists`).waitFor();
    await name.fill(registered);
    await dialog.getByRole('button', { name: 'Register' }).click();
    const command = await dialog.getByTestId('agent-command').innerText();
    expect(command).toContain(`shipyard-agent --server https://`);
    expect(command).toMatch(/--token \S{20,}/);
    expect(await dialog.getByTestId('agent-manifest').innerText()).toContain('kind: Deployment');
    await ui.screenshot('register-cluster');
    await dialog.locator('.ant-modal-footer').getByRole('button', { name: 'Close' }).click();
    await ui.row('clusters-table', registered).getByText('Agent not connected').waitFor();
  });

  it("shows a cluster's nodes, capacity and events", async () => {
    await ui.row('clusters-table', joined).getByRole('link', { name: joined }).click();
    await ui.page.getByTestId('cluster-overview').waitFor();
    await eventually('3 nodes', async () =>
      (await ui.rows('nodes-table').count()) === 3 ? true : undefined,
    );
    await ui.screenshot('cluster-detail');
    await ui.page.getByRole('tab', { name: 'Capacity' }).click();
    expect(await ui.table('capacity-table').innerText()).toMatch(/cpu[\s\S]*memory/);
    await ui.page.getByRole('tab', { name: 'Events' }).click();
    await ui.table('events-table').waitFor();
    await ui.screenshot('cluster-events');
  });

  it('shows an unavailable cluster as such, without losing the page', async () => {
    await ui.goto(`/clusters/${registered}`);
    await ui.page.getByTestId('cluster-overview').getByText('Not ready').waitFor({ timeout: 60_000 });
    const state = ui.page.getByTestId('error-state');
    await state.getByText('Unavailable').waitFor();
    // No agent ever registered: the server has no way to it yet, and says so.
    expect(await state.innerText()).toContain(`cluster "${registered}": no agent has registered yet`);
    await ui.screenshot('cluster-unavailable');
  });

  it('lists the nodes of a Ready cluster first, and of a chosen one', async () => {
    const asked: string[] = [];
    const record = (r: { url(): string }) => {
      const path = new URL(r.url()).pathname;
      if (path.startsWith('/api/v1/clusters/') && path.endsWith('/nodes')) asked.push(path);
    };
    ui.page.on('request', record);
    try {
      await ui.goto('/nodes');
      // The first cluster by name is the unavailable one: the Ready one is shown first.
      await eventually('3 nodes', async () =>
        (await ui.rows('nodes-table').count()) === 3 ? true : undefined,
      );
      expect(await ui.page.getByTestId('nodes-cluster').innerText()).toContain(joined);
      await ui.screenshot('nodes');
      // The unavailable one: the page says so and keeps the chooser.
      await ui.choose(ui.page.getByTestId('nodes-cluster'), `${registered} · Not ready`);
      await ui.page.getByTestId('error-state').getByText('Unavailable').waitFor();
      expect(new URL(ui.page.url()).searchParams.get('cluster')).toBe(registered);
      // Nodes were asked of named clusters only, never before the clusters were known.
      expect(asked.length).toBeGreaterThan(0);
      expect(asked.filter((p) => p.includes('/clusters//'))).toEqual([]);
      expect(asked[0]).toBe(`/api/v1/clusters/${joined}/nodes`);
    } finally {
      ui.page.off('request', record);
    }
  });

  it('filters the audit log by user, kind and verb', async () => {
    await ui.open('Audit logs');
    await ui.page.getByLabel('User', { exact: true }).fill('admin');
    await ui.page.getByLabel('Kind', { exact: true }).fill('Clus');
    await ui.pick('Cluster');
    await ui.page.getByLabel('Verb', { exact: true }).fill('cre');
    await ui.pick('create');
    await ui.page.getByTestId('audit-apply').click();
    // The unfiltered page stays up until the filtered one arrives: wait for rows of only Cluster creations.
    const cells = (n: number) => ui.rows('audit-table').locator(`td:nth-child(${n})`).allInnerTexts();
    await eventually('the filtered audit records', async () => {
      const [verbs, kinds, names] = [await cells(3), await cells(4), await cells(5)];
      const only = verbs.every((v) => v === 'create') && kinds.every((k) => k === 'Cluster');
      return only && names.includes(registered) ? true : undefined;
    });
    expect(await ui.row('audit-table', registered).innerText()).toMatch(
      /admin[\s\S]*create[\s\S]*Cluster[\s\S]*201/,
    );
    const url = new URL(ui.page.url());
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      user: 'admin',
      kind: 'Cluster',
      verb: 'create',
    });
    await ui.screenshot('audit');
  });

  it('creates an API token, shows its secret once, lists it first with its last use, and revokes it', async () => {
    const older = await admin.post<{ id: string }>('/api/v1/tokens', { name: `e2e-older-${run}` });
    expect(older.status).toBe(201);
    await ui.userMenu('API tokens');
    await ui.page.getByRole('button', { name: 'Create token' }).click();
    const dialog = ui.page.getByRole('dialog');
    await dialog.getByTestId('token-name').fill(`e2e-${run}`);
    await dialog.getByRole('button', { name: 'Create token' }).click();
    const secret = (await dialog.getByTestId('token-secret').innerText()).trim();
    const bearer = ApiClient.withToken(server.url, secret);
    expect((await bearer.get('/api/v1/session')).status).toBe(200);
    await ui.screenshot('token-created');
    await dialog.locator('.ant-modal-footer').getByRole('button', { name: 'Close' }).click();
    const row = ui.row('tokens-table', `e2e-${run}`);
    expect(await row.innerText()).not.toContain(secret);
    // Newest first; the one just used says when, the older one was never used.
    await eventually('the new token first, with its last use', async () => {
      await ui.page.reload();
      await ui.row('tokens-table', `e2e-older-${run}`).waitFor();
      const first = await ui.rows('tokens-table').first().innerText();
      return first.includes(`e2e-${run}`) && !first.includes('Never') ? true : undefined;
    });
    expect(await ui.row('tokens-table', `e2e-older-${run}`).innerText()).toContain('Never');
    expect(await ui.table('tokens-table').locator('thead').innerText()).toContain('Last used');
    await ui.screenshot('tokens');
    await row.getByRole('button', { name: 'Revoke' }).click();
    await ui.page.locator('.ant-popconfirm').getByRole('button', { name: 'Revoke' }).click();
    await row.waitFor({ state: 'detached' });
    expect((await bearer.get('/api/v1/session')).status).toBe(401);
    expect((await admin.del(`/api/v1/tokens/${older.body.id}`)).status).toBe(200);
  });

  it('downloads a kubeconfig for a cluster', async () => {
    await ui.userMenu('Download kubeconfig');
    const dialog = ui.page.getByRole('dialog');
    await ui.choose(dialog.getByTestId('kubeconfig-cluster'), joined);
    const [file] = await Promise.all([
      ui.page.waitForEvent('download'),
      dialog.getByRole('button', { name: 'Download' }).click(),
    ]);
    expect(file.suggestedFilename()).toBe(`shipyard-${joined}.kubeconfig`);
    const text = readFileSync(await file.path(), 'utf8');
    expect(text).toContain('kind: Config');
    expect(text).toContain(`/k8s/clusters/${joined}`);
  });

  it('switches to 中文, remembers it, and back', async () => {
    await ui.goto('/clusters');
    await ui.language('中文');
    await ui.sidebar().getByRole('link', { name: '集群', exact: true }).waitFor();
    await ui.page.reload();
    await ui.page.getByRole('button', { name: /注册集群/ }).waitFor();
    expect(await ui.sidebar().innerText()).toMatch(/资源[\s\S]*节点[\s\S]*集群[\s\S]*管理[\s\S]*审计日志/);
    await ui.row('clusters-table', joined).getByText('就绪', { exact: true }).waitFor();
    await ui.screenshot('clusters-zh');
    // Audit verbs are words of the language too.
    await ui.open('审计日志');
    await ui.table('audit-table').getByText('创建', { exact: true }).first().waitFor();
    await ui.screenshot('audit-zh');
    await ui.open('集群');
    await ui.language('English');
    await ui.sidebar().getByRole('link', { name: 'Clusters', exact: true }).waitFor();
  });

  it('keeps actions in view and tables within the page at 1280×720', async () => {
    // A long display name widens the table past the window: it scrolls inside, the actions stay in view.
    const c = await admin.get<{ spec: Record<string, unknown> }>(`/api/v1/clusters/${joined}`);
    const long = 'Production cluster of the platform team, in the eastern data centre, rack row twelve';
    const put = await admin.put(`/api/v1/clusters/${joined}`, {
      ...c.body,
      spec: { ...c.body.spec, displayName: long },
    });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    await ui.page.setViewportSize({ width: 1280, height: 720 });
    try {
      await ui.goto('/clusters');
      const download = ui.row('clusters-table', joined).getByRole('button', { name: 'Download kubeconfig' });
      await ui.row('clusters-table', long).waitFor();
      await download.waitFor();
      expect(await ui.inViewport(download)).toBe(true);
      expect(await ui.overflowX()).toBe(0);
      await ui.screenshot('clusters-1280');
      await ui.goto(`/clusters/${joined}?tab=events`);
      await ui.table('events-table').locator('thead').waitFor();
      expect(await ui.overflowX()).toBe(0);
      await ui.screenshot('cluster-events-1280');
      await ui.goto('/audit');
      await ui.rows('audit-table').first().waitFor();
      expect(await ui.overflowX()).toBe(0);
      await ui.screenshot('audit-1280');
    } finally {
      await ui.page.setViewportSize({ width: 1440, height: 900 });
    }
  });

  it("edits a cluster's display name and description, and deletes a cluster after asking", async () => {
    await ui.goto(`/clusters/${registered}`);
    await ui.page.getByTestId('cluster-overview').waitFor();
    await ui.page.getByRole('button', { name: 'Edit' }).click();
    const dialog = ui.page.getByRole('dialog');
    await dialog.getByTestId('details-display-name').fill('Edge agent');
    await dialog.getByTestId('details-description').fill('Joins through its agent, some day.');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'detached' });
    await ui.page.getByText('Edge agent').first().waitFor();
    const c = await admin.get<{ spec: Record<string, unknown> }>(`/api/v1/clusters/${registered}`);
    expect(c.body.spec).toMatchObject({
      displayName: 'Edge agent',
      description: 'Joins through its agent, some day.',
      connection: { mode: 'agent' },
    });
    await ui.page.getByRole('button', { name: 'Delete' }).click();
    await ui.page
      .locator('.ant-popconfirm')
      .getByText(`Delete cluster "${registered}"?`, { exact: false })
      .waitFor();
    await ui.screenshot('cluster-delete');
    await ui.page.locator('.ant-popconfirm').getByRole('button', { name: 'Delete' }).click();
    await ui.page.waitForURL(`${server.url}/clusters`);
    await ui.row('clusters-table', joined).waitFor();
    expect(await ui.row('clusters-table', registered).count()).toBe(0);
    expect((await admin.get(`/api/v1/clusters/${registered}`)).status).toBe(404);
  });

  it('shows a user without permission a clear no-permission state', async () => {
    const other = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    try {
      const them = new ConsolePage(await other.newPage(), server.url);
      await them.goto('/audit');
      await them.signIn(nobody, nobodyPassword);
      await them.page.getByText('No permission').waitFor();
      expect(await them.page.getByTestId('error-state').innerText()).toContain(
        'you may not read the audit log',
      );
      // Nothing in the sidebar leads to a page they cannot use.
      expect(await them.sidebar().getByRole('link').count()).toBe(0);
      await them.screenshot('forbidden');
      expect(them.problems).toEqual([]);
    } finally {
      await other.close();
    }
  });

  it('signs out', async () => {
    await ui.userMenu('Sign out');
    await ui.page.getByRole('button', { name: 'Sign in' }).waitFor();
    await ui.goto('/nodes');
    await ui.page.waitForURL(/\/login\?next=%2Fnodes$/);
    expect(ui.problems).toEqual([]);
  });
});
