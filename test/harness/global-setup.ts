import { adminQuery, TEST_DATABASE_URL } from './database.ts';

/** With TEST_DATABASE_URL set, PostgreSQL must answer: an unreachable server fails the run, never skips it. */
export default async function setup(): Promise<void> {
  if (!TEST_DATABASE_URL) return;
  try {
    await adminQuery('select 1');
  } catch (error) {
    throw new Error(`TEST_DATABASE_URL is set but PostgreSQL does not answer: ${(error as Error).message}`);
  }
}
