import Type from 'typebox';
import { Id } from '../../accounts/accounts.schemas.ts';

/* The four Statuspage migration operations as on-call.openapi.en.json documents them. */

/** Statuspage page ids are short letters and digits; the limit keeps hostile input short. */
const SourcePageId = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' });
const ApiKey = Type.String({ minLength: 1, maxLength: 256, pattern: '^[\\x21-\\x7e]+$' });
/** Vigil's job ids are ULIDs. */
const JobId = Type.String({ minLength: 1, maxLength: 64 });

/** Flashduty's SDK sends `url_name` for the new page (the document does not list it). */
export const MigrateStructureRequest = Type.Object({
  api_key: ApiKey,
  source_page_id: SourcePageId,
  url_name: Type.Optional(
    Type.String({ minLength: 1, maxLength: 255, pattern: '^[A-Za-z0-9][A-Za-z0-9_-]*$' }),
  ),
});

export const MigrateSubscribersRequest = Type.Object({
  api_key: ApiKey,
  source_page_id: SourcePageId,
  target_page_id: Id,
});

export const MigrationStartResponse = Type.Object({ job_id: Type.String() });

export const MigrationJobSelector = Type.Object({ job_id: JobId });

const Counter = Type.Integer({ minimum: 0 });

export const MigrationJob = Type.Object({
  job_id: Type.String(),
  account_id: Type.Integer(),
  source_page_id: Type.String(),
  target_page_id: Type.Integer(),
  phase: Type.Enum(['structure', 'history', 'subscribers']),
  status: Type.Enum(['pending', 'running', 'completed', 'failed', 'cancelled']),
  progress: Type.Object({
    total_steps: Counter,
    completed_steps: Counter,
    components_imported: Counter,
    sections_imported: Counter,
    incidents_imported: Counter,
    maintenances_imported: Counter,
    subscribers_imported: Counter,
    templates_imported: Counter,
    subscribers_skipped: Counter,
    warnings: Type.Optional(Type.Array(Type.String())),
  }),
  error: Type.Optional(Type.String()),
  created_at: Type.Integer(),
  updated_at: Type.Integer(),
});
