import { AsyncLocalStorage } from 'node:async_hooks';
import { CompiledQuery, type DatabaseConnection } from 'kysely';

/** The audit row of one state-changing call, as the route layer knows it before the handler runs. */
export type AuditEntry = {
  account_id: number;
  created_at: number;
  member_id: number;
  member_name: string;
  credential: 'app_key' | 'session' | 'assistant';
  key_id: number | null;
  request_id: string;
  ip: string;
  user_agent: string;
  operation: string;
  operation_name: string;
  target: string;
  body: string;
  is_dangerous: boolean;
};

/** One request's entry: written once, by the first transaction that commits while the request runs. */
type Pending = { entry: AuditEntry; written: boolean; open: boolean };

const storage = new AsyncLocalStorage<Pending>();

const COLUMNS = [
  'account_id',
  'created_at',
  'member_id',
  'member_name',
  'credential',
  'key_id',
  'request_id',
  'ip',
  'user_agent',
  'operation',
  'operation_name',
  'target',
  'body',
  'is_dangerous',
] as const satisfies readonly (keyof AuditEntry)[];

function insertStatement(entry: AuditEntry): CompiledQuery {
  return CompiledQuery.raw(
    `insert into audit_logs (${COLUMNS.join(', ')}) values (${COLUMNS.map((_, i) => `$${i + 1}`).join(', ')})`,
    COLUMNS.map((column) => entry[column]),
  );
}

/**
 * Runs a state-changing call's handler with its audit entry pending. Any transaction the handler's
 * services commit writes the entry first, on the same connection, so the change and its record
 * commit together (db/audited-dialect.ts). A handler whose writes were not in a transaction gets the
 * entry written after it returns (`afterwards`); a handler that fails before any commit leaves none.
 */
export async function runAudited<T>(
  entry: AuditEntry,
  handler: () => Promise<T>,
  afterwards: (entry: AuditEntry) => Promise<void>,
): Promise<T> {
  const pending: Pending = { entry, written: false, open: true };
  try {
    const result = await storage.run(pending, handler);
    if (!pending.written) {
      pending.written = true;
      await afterwards(entry);
    }
    return result;
  } finally {
    // Work the handler left running (a wake-up, a delivery) is not the call: it records nothing.
    pending.open = false;
  }
}

/** Called just before a transaction commits: writes the request's pending entry on its connection. */
export async function writePendingEntry(connection: DatabaseConnection): Promise<void> {
  const pending = storage.getStore();
  if (!pending || pending.written || !pending.open) return;
  pending.written = true;
  try {
    await connection.executeQuery(insertStatement(pending.entry));
  } catch (error) {
    pending.written = false;
    throw error;
  }
}
