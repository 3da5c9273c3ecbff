import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium } from 'playwright-core';

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
