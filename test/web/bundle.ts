import { existsSync } from 'node:fs';
import path from 'node:path';
import { buildConsole } from '../../scripts/build-web.ts';
import { CONSOLE_DIST } from '../../src/web/pages.ts';

/**
 * The console's bundle, built if `npm install` (its prepare script) has not: the browser tests
 * load the real build, as a person's browser does.
 */
export function ensureConsoleBuilt(): void {
  if (existsSync(path.join(CONSOLE_DIST, 'index.html'))) return;
  if (!buildConsole('pipe')) throw new Error('Vite is not installed: run npm install');
}
