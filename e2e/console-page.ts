/**
 * The console as a person uses it: by the labels they read, not by CSS classes. One object per browser
 * page; tests say what they do (signIn, open 'Nodes', switch to 中文) and what they expect to see.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';

export const artifacts = path.resolve('.tmp/e2e-artifacts');

export class ConsolePage {
  /** Errors the page logged that a person would not see but we should (CSP refusals, uncaught errors). */
  readonly problems: string[] = [];

  constructor(
    readonly page: Page,
    readonly base: string,
  ) {
    page.setDefaultTimeout(20_000);
    page.on('pageerror', (err) => this.problems.push(`pageerror: ${err.message}`));
    page.on('console', (msg) => {
      // A 401 or 403 from the API is logged by Chromium as a failed resource: that is the console working.
      if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource')) {
        this.problems.push(`console: ${msg.text()}`);
      }
    });
  }

  async goto(pathname: string): Promise<void> {
    await this.page.goto(this.base + pathname);
  }

  async signIn(username: string, password: string): Promise<void> {
    await this.page.getByLabel('Username').fill(username);
    await this.page.getByLabel('Password').fill(password);
    await this.page.getByRole('button', { name: 'Sign in' }).click();
    await this.page.getByTestId('user-menu').waitFor();
  }

  /** The sidebar once its entries are known (the server has answered what the user may read). */
  sidebar(): Locator {
    return this.page.locator('[data-testid="sidebar"][data-ready="true"]');
  }

  /** Follows a sidebar entry by its label. */
  async open(label: string): Promise<void> {
    await this.sidebar().getByRole('link', { name: label, exact: true }).click();
  }

  async userMenu(item: string): Promise<void> {
    await this.page.getByTestId('user-menu').click();
    await this.page.getByRole('menuitem', { name: item }).click();
  }

  async language(label: 'English' | '中文'): Promise<void> {
    await this.page.getByTestId('language-switch').getByText(label, { exact: true }).click();
  }

  table(testId: string): Locator {
    return this.page.getByTestId(testId);
  }

  /** The data rows of a table (antd marks them; the placeholder row of an empty table is not one). */
  rows(testId: string): Locator {
    return this.table(testId).locator('tbody tr.ant-table-row');
  }

  row(testId: string, text: string): Locator {
    return this.rows(testId).filter({ hasText: text });
  }

  /** Chooses an option of an antd Select by its label. */
  async choose(select: Locator, option: string): Promise<void> {
    await select.click();
    await this.pick(option);
  }

  /** Chooses an option of a searchable Select by typing `search` first (long lists show only some options). */
  async search(select: Locator, search: string, option: string): Promise<void> {
    await select.click();
    await this.page.keyboard.type(search);
    await this.pick(option);
  }

  /** Clicks an option of the open dropdown (a Select's, or an AutoComplete's suggestions). */
  async pick(option: string): Promise<void> {
    await this.page
      .locator('.ant-select-dropdown:visible .ant-select-item-option')
      .filter({ hasText: new RegExp(`^${option.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) })
      .click();
  }

  /** The form item of the field labelled `label` (its control, and the error shown under it). */
  field(label: string, within: Locator = this.page.locator('body')): Locator {
    return within.locator('.ant-form-item').filter({ has: this.page.getByLabel(label, { exact: true }) });
  }

  /** Chooses the tenant to work in, in the top bar's switcher. */
  async tenant(label: string): Promise<void> {
    await this.choose(this.page.getByTestId('tenant-switcher'), label);
  }

  /** Whether the element lies wholly inside the window (not clipped, not scrolled out of sight sideways). */
  async inViewport(locator: Locator): Promise<boolean> {
    const box = await locator.boundingBox();
    const size = this.page.viewportSize();
    if (!box || !size) return false;
    return box.x >= 0 && box.y >= 0 && box.x + box.width <= size.width && box.y + box.height <= size.height;
  }

  /** How far the page is wider than the window (0: nothing sticks out sideways). */
  async overflowX(): Promise<number> {
    return this.page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth');
  }

  async screenshot(name: string): Promise<string> {
    mkdirSync(artifacts, { recursive: true });
    const file = path.join(artifacts, `${name}.png`);
    await this.page.screenshot({ path: file, fullPage: true });
    return file;
  }
}
