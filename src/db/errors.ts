/**
 * PostgreSQL's `unique_violation`, from either driver: node-postgres puts the SQLSTATE on the error,
 * drizzle may wrap it as the `cause`.
 */
export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; cause?: { code?: string } };
  return (e.code ?? e.cause?.code) === '23505';
}
