import { desc, eq, lt } from 'drizzle-orm';
import { appendAudit } from '../audit/audit-log.js';
import type { Db } from '../db/client.js';
import { isUniqueViolation } from '../db/errors.js';
import { newId } from '../db/ids.js';
import { users } from '../db/schema.js';
import { conflict, unprocessable } from '../http/errors.js';
import { decodeCursor, toPage } from '../http/pagination.js';
import { burnPasswordCheck, hashPassword, verifyPassword } from './passwords.js';
import type { CreateUserBody } from './schemas.js';

export type UserRow = typeof users.$inferSelect;

/** Never includes the password hash. */
export function userJson(row: UserRow) {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role,
    sender: row.sender ?? null,
    created_at: row.createdAt.toISOString(),
    disabled_at: row.disabledAt?.toISOString() ?? null,
  };
}

export interface CreateUserOptions {
  /** Domains an executive's sender address may use (`config.senderDomains`). */
  senderDomains: string[];
  /** Audit actor (`actorOf(principal)`, `cli` or `system`). */
  actor: string;
}

/**
 * Creates a staff user. Only executives carry a sender identity, because only they may have mail go out
 * under their own name, and that address must be on a domain we are allowed to send from.
 */
export async function createUser(
  db: Db,
  input: CreateUserBody,
  options: CreateUserOptions,
): Promise<UserRow> {
  const email = input.email.toLowerCase();
  if (input.sender) {
    if (input.role !== 'executive') {
      throw unprocessable('sender_not_allowed', 'Only executives may have a sender identity.');
    }
    const domain = input.sender.email.slice(input.sender.email.lastIndexOf('@') + 1).toLowerCase();
    if (!options.senderDomains.includes(domain)) {
      throw unprocessable(
        'sender_domain_not_allowed',
        `Sender e-mail domain "${domain}" is not an allowed sending domain (allowed: ${options.senderDomains.join(', ')}).`,
        [{ path: 'sender.email', message: `allowed domains: ${options.senderDomains.join(', ')}` }],
      );
    }
  }
  const [existing] = await db.select({ id: users.id }).from(users).where(eq(users.email, email));
  if (existing) throw conflict('email_taken', `A user with e-mail ${email} already exists.`);
  const passwordHash = await hashPassword(input.password);
  try {
    return await db.transaction(async (tx) => {
      const [row] = await tx
        .insert(users)
        .values({
          id: newId('usr'),
          email,
          name: input.name,
          role: input.role,
          passwordHash,
          sender: input.sender ? { ...input.sender, email: input.sender.email.toLowerCase() } : null,
        })
        .returning();
      if (!row) throw new Error('user insert returned nothing');
      await appendAudit(tx, {
        actor: options.actor,
        action: 'user.create',
        subjectType: 'user',
        subjectId: row.id,
        details: { email, role: row.role, sender: row.sender?.email ?? null },
      });
      return row;
    });
  } catch (error) {
    // Two concurrent creates both pass the check above; the unique index decides.
    if (isUniqueViolation(error))
      throw conflict('email_taken', `A user with e-mail ${email} already exists.`);
    throw error;
  }
}

export async function listUsers(db: Db, query: { limit: number; cursor?: string | undefined }) {
  const after = decodeCursor(query.cursor);
  const rows = await db
    .select()
    .from(users)
    .where(after ? lt(users.id, after) : undefined)
    .orderBy(desc(users.id))
    .limit(query.limit + 1);
  return toPage(rows, query.limit, userJson);
}

export async function findUserById(db: Db, id: string): Promise<UserRow | null> {
  const [row] = await db.select().from(users).where(eq(users.id, id));
  return row ?? null;
}

export async function findUserByEmail(db: Db, email: string): Promise<UserRow | null> {
  const [row] = await db.select().from(users).where(eq(users.email, email.toLowerCase()));
  return row ?? null;
}

/**
 * The active user with these credentials, or null. Unknown e-mails cost the same scrypt work as wrong
 * passwords so response times do not reveal which accounts exist.
 */
export async function verifyCredentials(db: Db, email: string, password: string): Promise<UserRow | null> {
  const user = await findUserByEmail(db, email);
  if (!user) {
    await burnPasswordCheck(password);
    return null;
  }
  const ok = await verifyPassword(password, user.passwordHash);
  return ok && !user.disabledAt ? user : null;
}
