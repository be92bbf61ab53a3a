import type { AppDeps } from '../deps.js';
import { createUser, findUserByEmail } from './users.js';

/**
 * Creates the first admin from `CANDOR_BOOTSTRAP_ADMIN_EMAIL` / `_PASSWORD` unless a user with that e-mail
 * exists. Safe to call on every start and from several replicas at once (a lost race is a 409, ignored).
 * An existing user's password is never overwritten, so changing it in the UI sticks across restarts.
 */
export async function ensureBootstrapAdmin(
  deps: Pick<AppDeps, 'config' | 'database' | 'logger'>,
): Promise<void> {
  const { adminEmail, adminPassword } = deps.config.bootstrap;
  if (!adminEmail || !adminPassword) return;
  const db = deps.database.db;
  if (await findUserByEmail(db, adminEmail)) return;
  try {
    const user = await createUser(
      db,
      { email: adminEmail.toLowerCase(), name: 'Administrator', role: 'admin', password: adminPassword },
      { senderDomains: deps.config.senderDomains, actor: 'system' },
    );
    deps.logger.info({ userId: user.id, email: user.email }, 'created the bootstrap admin user');
  } catch (error) {
    if ((error as { code?: string }).code === 'email_taken') return;
    throw error;
  }
}
