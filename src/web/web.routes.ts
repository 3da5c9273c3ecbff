import type { AppDeps } from '../http/app.ts';
import type { Api } from '../http/route.ts';
import { registerConsoleRoutes } from './console.routes.ts';
import { registerLiveRoutes } from './live.routes.ts';
import { type ConsolePages, registerConsolePages } from './pages.ts';

/** The web console: its page and assets, and its sign-in endpoints (docs/console.md). */
export async function registerWebRoutes(app: Api, deps: AppDeps): Promise<ConsolePages> {
  registerConsoleRoutes(app, deps);
  registerLiveRoutes(app, deps);
  return registerConsolePages(app);
}
