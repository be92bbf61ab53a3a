/**
 * The code of an error or of the first error in its `cause` chain that has one: PostgreSQL's SQLSTATE
 * (node-postgres and PGlite put it on the error, drizzle may wrap that as the `cause`) or a socket's
 * errno name.
 */
export function errorCode(error: unknown): string | undefined {
  for (let e: unknown = error; e && typeof e === 'object'; e = (e as { cause?: unknown }).cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

/** PostgreSQL's `unique_violation`. */
export const isUniqueViolation = (error: unknown): boolean => errorCode(error) === '23505';
