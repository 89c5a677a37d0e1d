/**
 * Debian's Chromium, driven by playwright-core: never a downloaded browser. The flags keep it quiet and
 * offline (no component updates, sync or background requests) and working as root in a container.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const chromiumPath = process.env.SHIPYARD_CHROMIUM ?? '/usr/bin/chromium';

const flags = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(chromiumPath)) {
    throw new Error(`${chromiumPath} is missing: npm run setup installs Debian's chromium`);
  }
  return chromium.launch({ executablePath: chromiumPath, headless: true, args: flags });
}
