import { and, eq, isNull } from 'drizzle-orm';
import { appendAudit } from '../audit/audit-log.js';
import type { Db } from '../db/client.js';
import { contacts } from '../db/schema.js';
import { verifyUnsubscribeToken } from './tokens.js';

/**
 * Unsubscribing, as one decision for every kind of mail Candor sends:
 *
 * An unsubscribed contact gets nothing further from Candor — no automatic notice, update or
 * resolution, no postmortem, and no executive apology either, even when the contact is a customer's
 * primary admin. The apology exists to rebuild trust; mailing someone who explicitly asked us to stop
 * does the opposite, and the unsubscribe page promises "no more incident e-mails", not "fewer".
 * Account teams who must reach that person do so personally, outside Candor. The fan-out enforces
 * this by skipping contacts with `unsubscribed_at` set (see `segment-audience.ts`); staff see them
 * counted as suppressed in previews. Nothing re-subscribes a contact automatically: a re-import
 * leaves `unsubscribed_at` alone.
 *
 * The unsubscribe applies to the address, not just the one contact row: the same person listed under
 * two customers has one inbox and asked once. Bounces and complaints are separate (the `suppressions`
 * table, fed by provider events).
 */
export interface UnsubscribeTarget {
  contactId: string;
  email: string;
  locale: string | null;
  unsubscribedAt: Date | null;
}

/** The contact a token names, or null for a forged, truncated or stale (deleted contact) token. */
export async function findUnsubscribeTarget(
  db: Db,
  secret: Buffer,
  token: string,
): Promise<UnsubscribeTarget | null> {
  const contactId = verifyUnsubscribeToken(secret, token);
  if (!contactId) return null;
  const [row] = await db
    .select({ email: contacts.email, locale: contacts.locale, unsubscribedAt: contacts.unsubscribedAt })
    .from(contacts)
    .where(eq(contacts.id, contactId));
  return row ? { contactId, ...row } : null;
}

/**
 * Marks every contact with the target's address unsubscribed. Idempotent: a second click (mail clients
 * and scanners do repeat POSTs) keeps the first time and writes no audit entry. Returns how many
 * contacts changed.
 */
export async function unsubscribe(
  db: Db,
  target: UnsubscribeTarget,
  via: 'one-click' | 'page',
): Promise<number> {
  return db.transaction(async (tx) => {
    const changed = await tx
      .update(contacts)
      .set({ unsubscribedAt: new Date(), updatedAt: new Date() })
      .where(and(eq(contacts.email, target.email), isNull(contacts.unsubscribedAt)))
      .returning({ id: contacts.id });
    if (changed.length > 0) {
      await appendAudit(tx as unknown as Db, {
        actor: `recipient:${target.contactId}`,
        action: 'contact.unsubscribe',
        subjectType: 'contact',
        subjectId: target.contactId,
        details: { via, contacts: changed.map((c) => c.id) },
      });
    }
    return changed.length;
  });
}
