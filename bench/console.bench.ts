// The console over 10,000 Tenants, in Debian's Chromium: what a person waits for on the Tenants page (open
// it, next page, sort, search, 100 rows a page, a new tenant appearing live), each against opening the
// Clusters page with its one row in the same browser. The list pages, sorts and filters on the server, so
// none of these should grow with the number of tenants.
import type { Page } from 'playwright-core';
import { launchChromium } from '../e2e/browser.js';
import { ConsolePage } from '../e2e/console-page.js';
import { tenant } from './kube.js';
import { percentiles, type Percentiles } from './stats.js';

export type ConsoleBenchOptions = {
  base: string;
  token: string;
  adminPassword: string;
  /** How many Tenants exist (bench-00000 …): checked by the rows seen. */
  count: number;
  /** Samples of each measurement. */
  samples: number;
};

export type ConsoleRow = { what: string; ms: Percentiles; ratio: number };
/** The rows, and how long the server took for the tenant lists the page asked for (as the browser saw it). */
export type ConsoleResult = { rows: ConsoleRow[]; tenantListsMs: Percentiles };

const table = 'tenants-table';
const nameOf = (i: number) => tenant(i).metadata.name;

async function timed(samples: number, f: (i: number) => Promise<number>): Promise<Percentiles> {
  const ms: number[] = [];
  for (let i = 0; i < samples; i++) ms.push(await f(i));
  return percentiles(ms);
}

/** Milliseconds from `act` until the first data row of the table reads `first`. */
async function until(ui: ConsolePage, first: string, act: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await act();
  await ui.rows(table).first().filter({ hasText: first }).waitFor();
  return performance.now() - t0;
}

async function rowCount(page: Page): Promise<number> {
  return page.getByTestId(table).locator('tbody tr.ant-table-row').count();
}

/** The admin's API, for the objects the bench makes beside the seeded tenants. */
async function call(o: ConsoleBenchOptions, method: string, path: string, body?: unknown): Promise<void> {
  const res = await fetch(o.base + path, {
    method,
    headers: {
      authorization: `Bearer ${o.token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status >= 300 && !(method === 'DELETE' && res.status === 404)) {
    throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  }
}

export async function benchConsole(o: ConsoleBenchOptions): Promise<ConsoleResult> {
  // The reference: one Cluster (without a connection: it lists as unavailable, which is still one row).
  const reference = `bench-ref-${process.pid}`;
  await call(o, 'POST', '/api/v1/clusters', { metadata: { name: reference }, spec: {} });
  const made: string[] = [];
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const ui = new ConsolePage(page, o.base);
    const listsMs: number[] = [];
    page.on('requestfinished', (req) => {
      if (!new URL(req.url()).pathname.startsWith('/api/v1/tenants')) return;
      const t = req.timing();
      if (t.responseEnd > 0) listsMs.push(t.responseEnd - t.requestStart);
    });
    await ui.goto('/');
    await ui.signIn('admin', o.adminPassword);
    const total = `Total ${o.count}`;

    // Opening a page: a full navigation (scripts from the browser's cache, as on a person's second visit).
    const clusters = await timed(o.samples, async () => {
      const t0 = performance.now();
      await ui.goto('/clusters');
      await ui.rows('clusters-table').first().waitFor();
      return performance.now() - t0;
    });
    const open = await timed(o.samples, () =>
      until(ui, nameOf(0), () => ui.goto('/tenants?sort=metadata.name')),
    );
    await page.getByText(total).waitFor();

    const next = await timed(o.samples, async (i) => {
      await ui.goto(`/tenants?sort=metadata.name&page=${i + 1}`);
      await ui
        .rows(table)
        .first()
        .filter({ hasText: nameOf(i * 20) })
        .waitFor();
      return until(ui, nameOf((i + 1) * 20), () => page.getByTitle('Next Page').click());
    });

    const sort = await timed(o.samples, async () => {
      await ui.goto('/tenants?sort=metadata.name');
      await ui
        .rows(table)
        .first()
        .filter({ hasText: nameOf(0) })
        .waitFor();
      // Ascending → descending: the last of 10,000 comes first.
      return until(ui, nameOf(o.count - 1), () =>
        page.getByTestId(table).getByRole('columnheader', { name: 'Name' }).click(),
      );
    });

    const search = await timed(o.samples, async (i) => {
      await ui.goto('/tenants?sort=metadata.name');
      await ui.rows(table).first().waitFor();
      const want = nameOf(1 + ((i * 997) % (o.count - 1))); // never the first row already shown
      const t0 = performance.now();
      await page.getByPlaceholder('Search').fill(want);
      await page.getByPlaceholder('Search').press('Enter');
      await page.getByText('Total 1', { exact: true }).waitFor();
      await ui.rows(table).first().filter({ hasText: want }).waitFor();
      const took = performance.now() - t0;
      if ((await rowCount(page)) !== 1) throw new Error(`searching ${want} showed more than its one row`);
      return took;
    });

    const hundred = await timed(o.samples, async (i) => {
      const pageNo = 10 + i;
      const took = await until(ui, nameOf((pageNo - 1) * 100), () =>
        ui.goto(`/tenants?sort=metadata.name&size=100&page=${pageNo}`),
      );
      await ui.rows(table).nth(99).waitFor();
      return took;
    });

    // Live: names descending, so each new tenant (bench-zz-…, numbered in order) comes first, without a reload.
    const live = await timed(o.samples, async (i) => {
      await ui.goto('/tenants?sort=-metadata.name');
      await ui
        .rows(table)
        .first()
        .filter({ hasText: made.at(-1) ?? nameOf(o.count - 1) })
        .waitFor();
      const name = `bench-zz-${process.pid}-${String(i).padStart(3, '0')}`;
      made.push(name);
      return until(ui, name, () =>
        call(o, 'POST', '/api/v1/tenants', { metadata: { name }, spec: { clusters: [] } }),
      );
    });
    if (ui.problems.length) throw new Error(`the console logged: ${ui.problems.join('; ')}`);

    const rel = (p: Percentiles) => p.p50 / clusters.p50;
    const rows = [
      { what: 'open Clusters (1 row): the reference', ms: clusters, ratio: 1 },
      { what: `open Tenants (${o.count.toLocaleString('en-US')})`, ms: open, ratio: rel(open) },
      { what: 'next page', ms: next, ratio: rel(next) },
      { what: 'sort by name, descending', ms: sort, ratio: rel(sort) },
      { what: 'search one name', ms: search, ratio: rel(search) },
      { what: 'open a page of 100 rows', ms: hundred, ratio: rel(hundred) },
      { what: 'a new tenant appears (live)', ms: live, ratio: rel(live) },
    ];
    return { rows, tenantListsMs: percentiles(listsMs) };
  } finally {
    await browser.close();
    for (const name of made) await call(o, 'DELETE', `/api/v1/tenants/${name}`);
    await call(o, 'DELETE', `/api/v1/clusters/${reference}`);
  }
}
