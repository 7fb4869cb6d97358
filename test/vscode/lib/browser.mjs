// Launch Debian's chromium through playwright-core, headless, with everything that would reach
// the network switched off.
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { repoRoot } from './code-server.mjs';

const require = createRequire(path.join(repoRoot, 'package.json'));

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
  '--disable-default-apps',
  '--disable-extensions',
  '--disable-features=Translate,MediaRouter,OptimizationHints',
  '--no-default-browser-check',
  '--password-store=basic',
];

export function chromiumPath() {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];
  const found = candidates.find((p) => p && fs.existsSync(p));
  if (!found) throw new Error('no chromium found (set CHROMIUM_PATH, or apt-get install chromium)');
  return found;
}

/** Returns { browser, context, page }. */
export async function launchBrowser({ viewport = { width: 1400, height: 900 } } = {}) {
  const { chromium } = require('playwright-core');
  const browser = await chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: CHROMIUM_ARGS,
    timeout: 60_000,
  });
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  return { browser, context, page };
}

/** Wait until the VS Code workbench has rendered (the monaco workbench and its status bar). */
export async function waitForWorkbench(page, timeout = 120_000) {
  await page.waitForSelector('.monaco-workbench', { timeout });
  await page.waitForSelector('.monaco-workbench .part.statusbar', { timeout });
}

/** Screenshot that never throws. */
export async function safeScreenshot(page, file) {
  if (!page) return false;
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    await page.screenshot({ path: file, timeout: 15_000 });
    return true;
  } catch (e) {
    console.error(`(screenshot failed: ${e.message})`);
    return false;
  }
}

/** Close the browser; never throws, never hangs more than a few seconds. */
export async function closeBrowser(browser) {
  if (!browser) return;
  await Promise.race([browser.close().catch(() => {}), new Promise((r) => setTimeout(r, 10_000))]);
}
