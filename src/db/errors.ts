/** SQLSTATE of a unique-constraint violation. */
const UNIQUE_VIOLATION = '23505';

/** Whether a database error is a unique violation, optionally of the named constraint or index. */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const e = error as { code?: string; constraint?: string; message?: string } | undefined;
  if (e?.code !== UNIQUE_VIOLATION) return false;
  // pg reports the constraint name; PGlite only puts it in the message.
  return (
    constraint === undefined || e.constraint === constraint || (e.message ?? '').includes(`"${constraint}"`)
  );
}
