import type { AppDeps } from '../../http/app.ts';
import { type Api, Empty, openApi } from '../../http/route.ts';
import * as S from './migration.schemas.ts';
import { cancelMigration, migrationStatus, startMigration, toMigrationJob } from './migration.service.ts';

/** /status-page/migrate-* and /status-page/migration/*: importing an Atlassian Statuspage page. */
export function registerStatuspageMigrationRoutes(app: Api, deps: AppDeps): void {
  const Manage = { tag: 'Status pages', permission: 'status_pages.manage' } as const;
  openApi(
    app,
    '/status-page/migrate-structure',
    {
      ...Manage,
      summary: 'Migrate status page structure',
      input: S.MigrateStructureRequest,
      data: S.MigrationStartResponse,
    },
    ({ actor, input }) => startMigration(deps, actor, input),
  );
  openApi(
    app,
    '/status-page/migrate-email-subscribers',
    {
      ...Manage,
      summary: 'Migrate email subscribers',
      input: S.MigrateSubscribersRequest,
      data: S.MigrationStartResponse,
    },
    ({ actor, input }) => startMigration(deps, actor, input),
  );
  openApi(
    app,
    '/status-page/migration/status',
    {
      tag: 'Status pages',
      permission: null,
      method: 'GET',
      summary: 'Get migration status',
      input: S.MigrationJobSelector,
      data: S.MigrationJob,
    },
    async ({ actor, input }) => toMigrationJob(await migrationStatus(deps, actor, input.job_id)),
  );
  openApi(
    app,
    '/status-page/migration/cancel',
    { ...Manage, summary: 'Cancel status page migration', input: S.MigrationJobSelector, data: Empty },
    async ({ actor, input }) => {
      await cancelMigration(deps, actor, input.job_id);
      return {};
    },
  );
}
