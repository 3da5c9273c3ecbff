import { createAccount } from './accounts/accounts.service.ts';
import { findKeyOwner, hashAppKey } from './accounts/app-keys.store.ts';
import { permissionsOf } from './accounts/permissions.ts';
import type { Config } from './config/config.ts';
import { backup } from './db/backup.ts';
import type { Db } from './db/db.ts';
import { migrate } from './db/migrate.ts';
import type { PluginType } from './integrations/integrations.schemas.ts';
import { createIntegration } from './integrations/integrations.service.ts';
import { AppError } from './shared/app-error.ts';
import type { Clock } from './shared/clock.ts';
import { setMemberPassword } from './web/console.service.ts';

/*
 * The administrative commands behind `vigil`. The CLI runs them against the database directly, or,
 * when a server holds the PGlite directory, sends them to that server's control socket, which runs
 * this same function — one implementation either way.
 */

export type Command =
  | { name: 'migrate' }
  | { name: 'account create'; account: { name: string; email: string; memberName?: string | undefined } }
  | {
      name: 'integration create';
      appKey: string;
      integration: {
        name: string;
        plugin_type: PluginType;
        channel_id?: number | undefined;
      };
    }
  | { name: 'member set-password'; email: string; accountId: number | undefined; password: string }
  /** `out`: an absolute path (the server that runs it may have another working directory). */
  | { name: 'backup'; out: string };

type Deps = { db: Db; clock: Clock; config: Config };

export async function runCommand(deps: Deps, command: Command): Promise<unknown> {
  switch (command.name) {
    case 'migrate':
      return { applied: await migrate(deps.db) };
    case 'account create':
      return createAccount(deps, command.account);
    case 'integration create': {
      const owner = await findKeyOwner(deps.db, hashAppKey(command.appKey));
      if (!owner) throw new AppError('Unauthorized', 'The app key is invalid or disabled.');
      const actor = { ...owner, permissions: permissionsOf(owner.roleIds) };
      return createIntegration(deps, actor, command.integration);
    }
    case 'member set-password':
      return setMemberPassword(deps, command);
    case 'backup':
      return backup(deps.db, { databaseUrl: deps.config.databaseUrl }, command.out);
  }
}
