import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

/*
 * Builds the web console into web/dist (npm install's `prepare` step, `npm run build:web`).
 * An install without dev dependencies has no Vite: it says so and leaves the server to answer
 * console pages with "not built" rather than failing the whole install.
 */

const ROOT = path.resolve(import.meta.dirname, '..');
const VITE = path.join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js');

export function buildConsole(stdio: 'inherit' | 'pipe' = 'inherit'): boolean {
  if (!existsSync(VITE)) return false;
  execFileSync(process.execPath, [VITE, 'build', '--config', path.join('web', 'vite.config.ts')], {
    cwd: ROOT,
    stdio,
  });
  return true;
}

if (import.meta.main) {
  if (!buildConsole()) {
    process.stderr.write(
      'vigil: Vite is not installed (an install without dev dependencies), so the web console was not built.\n',
    );
  }
}
