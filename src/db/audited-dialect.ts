import { type DatabaseConnection, type Driver, PostgresDialect } from 'kysely';
import { writePendingEntry } from '../audit/context.ts';

/**
 * PostgreSQL's dialect, with one addition: before a transaction commits, the audit entry of the
 * request it runs for (if any, and not yet written) is inserted on the same connection
 * (audit/context.ts). So every service that opens a transaction records its call atomically,
 * without knowing about the audit log.
 */
export class AuditedPostgresDialect extends PostgresDialect {
  override createDriver(): Driver {
    const driver = super.createDriver();
    const commit = driver.commitTransaction.bind(driver);
    driver.commitTransaction = async (connection: DatabaseConnection) => {
      await writePendingEntry(connection);
      await commit(connection);
    };
    return driver;
  }
}
