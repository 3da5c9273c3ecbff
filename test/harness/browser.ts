import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Locator, type Page } from 'playwright-core';

/*
 * Headless Chromium for browser tests: Debian's `chromium` (installed by .ci/run) driven by
 * playwright-core, whose own browser download cannot reach its CDN from here.
 */

const EXECUTABLE = '/usr/bin/chromium';

// Headless, no sandbox (CI runs as root), and no background traffic to Google's services.
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Launches Chromium. Playwright gives every launch a fresh temporary user-data-dir (an mkdtemp
 * folder, removed by `closeBrowser`), so tests share no cookies, cache or storage.
 */
export async function launchBrowser(): Promise<Browser> {
  try {
    return await chromium.launch({ executablePath: EXECUTABLE, args: FLAGS });
  } catch (error) {
    throw new Error(`Chromium did not start from ${EXECUTABLE} (apt-get install chromium): ${error}`);
  }
}

/** Closes the browser if it started (safe in an afterAll whose beforeAll failed). */
export async function closeBrowser(browser: Browser | undefined): Promise<void> {
  await browser?.close();
}

const OUTPUT = fileURLToPath(new URL('../../test-output/', import.meta.url));

/** A file path under the git-ignored test-output/ folder (created), for screenshots and the like. */
export function outputPath(name: string): string {
  mkdirSync(OUTPUT, { recursive: true });
  return path.join(OUTPUT, name);
}

/**
 * Picks `option` from the listbox a combobox opens. A live preview that re-renders as the form
 * changes can close a listbox just opened: open it again (twice at most).
 */
export async function pickOption(page: Page, combobox: Locator, option: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    await combobox.click();
    try {
      await page
        .getByRole('listbox')
        .getByRole('option', { name: option, exact: true })
        .click({ timeout: attempt < 3 ? 5_000 : 30_000 });
      break;
    } catch (error) {
      if (attempt >= 3) throw error;
      await page.keyboard.press('Escape');
    }
  }
  await page.keyboard.press('Escape');
}
