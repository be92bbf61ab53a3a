import { eq } from 'drizzle-orm';
import { companyOf } from '../communications/send-policy.js';
import { communications, contacts, customers, replies, users } from '../db/schema.js';
import type { AppDeps } from '../deps.js';
import { assertHeaderSafe } from '../rendering/headers.js';
import { renderCommunication } from '../rendering/render.js';
import { factsOf, mergeFacts } from './store.js';

type Deps = Pick<AppDeps, 'database' | 'config' | 'logger' | 'transport'>;

export type ForwardOutcome = 'forwarded' | 'not_needed' | 'failed';

/**
 * Forwards a customer's reply to an apology to the executive who signed it, at their own login
 * address (`users.email`, a real inbox, unlike the public sender identity which may route back to
 * Candor). The customer is the Reply-To, so answering is personal and direct. The provider call uses
 * an idempotency key per reply, so a retried job does not send a second copy; `Auto-Submitted:
 * auto-forwarded` keeps the executive's own autoresponder from answering Candor.
 * Transport errors other than a permanent per-message failure are thrown for the job to retry.
 */
export async function forwardReply(deps: Deps, replyId: string): Promise<ForwardOutcome> {
  const { db } = deps.database;
  // Not `select()`: the row's `raw` and `html` can be megabytes each and forwarding needs neither.
  const [reply] = await db
    .select({
      id: replies.id,
      headers: replies.headers,
      communicationId: replies.communicationId,
      contactId: replies.contactId,
      fromAddress: replies.fromAddress,
      subject: replies.subject,
      text: replies.text,
      receivedAt: replies.receivedAt,
    })
    .from(replies)
    .where(eq(replies.id, replyId));
  if (!reply || factsOf(reply.headers).forward !== 'pending' || !reply.communicationId) return 'not_needed';
  const [target] = await db
    .select({ email: users.email, disabledAt: users.disabledAt })
    .from(communications)
    .innerJoin(users, eq(users.id, communications.senderUserId))
    .where(eq(communications.id, reply.communicationId));
  if (!target || target.disabledAt || !reply.fromAddress) {
    await mergeFacts(db, replyId, {
      forward: 'failed',
      forwardError: 'no executive inbox or no sender address',
    });
    return 'failed';
  }
  const [who] = reply.contactId
    ? await db
        .select({ contactName: contacts.name, customerName: customers.name })
        .from(contacts)
        .innerJoin(customers, eq(customers.id, contacts.customerId))
        .where(eq(contacts.id, reply.contactId))
    : [];
  const rendered = await renderCommunication('reply-forward', {
    customerName: who?.customerName ?? reply.fromAddress,
    contactName: who?.contactName ?? reply.fromAddress,
    contactEmail: reply.fromAddress,
    originalSubject: reply.subject ?? '',
    replyText: reply.text ?? '',
    receivedAt: reply.receivedAt.toISOString(),
    inboxUrl: `${deps.config.publicUrl}/v1/replies/${reply.id}`,
    companyName: companyOf(deps.config.from),
  });
  const key = `fwd-${reply.id}`;
  const [outcome] = await deps.transport.sendBatch(
    [
      {
        messageId: `fwd_${reply.id}`,
        from: deps.config.from,
        to: target.email,
        replyTo: assertHeaderSafe(reply.fromAddress, 'Reply-To'),
        subject: rendered.subject,
        html: rendered.html,
        text: rendered.text,
        headers: { 'Auto-Submitted': 'auto-forwarded', 'X-Candor-Reply-Id': reply.id },
        tags: [
          { name: 'kind', value: 'reply-forward' },
          { name: 'reply', value: reply.id },
        ],
      },
    ],
    { idempotencyKey: key },
  );
  if (!outcome?.ok) {
    const error = outcome ? outcome.error : 'no outcome';
    await mergeFacts(db, replyId, { forward: 'failed', forwardError: error });
    deps.logger.warn({ replyId, error }, 'reply could not be forwarded to the executive');
    return 'failed';
  }
  await mergeFacts(db, replyId, {
    forward: 'done',
    forwardedAt: new Date().toISOString(),
    forwardedTo: target.email,
  });
  return 'forwarded';
}
