import { and, asc, eq, gte, isNull } from 'drizzle-orm';
import { replies, users } from '../db/schema.js';
import type { AppDeps } from '../deps.js';
import { escapeHtml } from '../rendering/render.js';

type Deps = Pick<AppDeps, 'database' | 'config' | 'logger' | 'transport'>;

export interface DigestOutcome {
  replies: number;
  recipients: number;
  failed: number;
}

const MAX_LISTED = 50;

const excerpt = (text: string | null) => {
  const flat = (text ?? '').replace(/\s+/g, ' ').trim();
  return flat.length > 160 ? `${flat.slice(0, 159)}…` : flat;
};

/**
 * E-mails every active comms user (admins when there is none) one summary of the human replies that
 * arrived since `since` and are still `new`. Plain and small on purpose: it points people to the inbox,
 * it is not the inbox. Nothing is sent when there is nothing new. The lead schedules it (e.g. hourly,
 * passing the previous run's time); the idempotency key is per recipient and window start, so a
 * repeated run for the same window does not mail twice through providers that honour it.
 */
export async function sendReplyDigest(deps: Deps, since: Date): Promise<DigestOutcome> {
  const { db } = deps.database;
  const rows = await db
    .select({
      id: replies.id,
      from: replies.fromAddress,
      subject: replies.subject,
      text: replies.text,
      category: replies.category,
      matched: replies.matched,
    })
    .from(replies)
    .where(and(eq(replies.status, 'new'), eq(replies.auto, false), gte(replies.receivedAt, since)))
    .orderBy(asc(replies.receivedAt))
    .limit(1_000);
  if (rows.length === 0) return { replies: 0, recipients: 0, failed: 0 };
  const staff = await db
    .select({ email: users.email, role: users.role })
    .from(users)
    .where(isNull(users.disabledAt));
  const comms = staff.filter((u) => u.role === 'comms');
  const recipients = comms.length > 0 ? comms : staff.filter((u) => u.role === 'admin');
  const counts = new Map<string, number>();
  for (const row of rows) counts.set(row.category ?? 'other', (counts.get(row.category ?? 'other') ?? 0) + 1);
  const summary = [...counts].map(([category, n]) => `${n} ${category.replace('_', ' ')}`).join(', ');
  const inbox = `${deps.config.publicUrl}/v1/replies?status=new`;
  const listed = rows.slice(0, MAX_LISTED);
  const more = rows.length - listed.length;
  const text = [
    `${rows.length} new customer ${rows.length === 1 ? 'reply' : 'replies'} since ${since.toISOString()}: ${summary}.`,
    '',
    ...listed.map(
      (r) =>
        `- [${r.category ?? 'other'}${r.matched ? '' : ', unmatched'}] ${r.from ?? 'unknown'}: ${excerpt(r.text)}`,
    ),
    ...(more > 0 ? [`… and ${more} more.`] : []),
    '',
    `Inbox: ${inbox}`,
  ].join('\n');
  const html = `<p>${escapeHtml(text.split('\n')[0]!)}</p><ul>${listed
    .map(
      (r) =>
        `<li><strong>${escapeHtml(r.category ?? 'other')}</strong>${r.matched ? '' : ' (unmatched)'} — ${escapeHtml(r.from ?? 'unknown')}: ${escapeHtml(excerpt(r.text))}</li>`,
    )
    .join(
      '',
    )}</ul>${more > 0 ? `<p>… and ${more} more.</p>` : ''}<p><a href="${escapeHtml(inbox)}">Open the inbox</a></p>`;
  let failed = 0;
  for (const user of recipients) {
    const key = `digest-${since.getTime()}-${user.email}`;
    try {
      const [outcome] = await deps.transport.sendBatch(
        [
          {
            messageId: key,
            from: deps.config.from,
            to: user.email,
            replyTo: deps.config.from,
            subject: `${rows.length} new customer ${rows.length === 1 ? 'reply' : 'replies'}`,
            html,
            text,
            headers: { 'Auto-Submitted': 'auto-generated' },
            tags: [{ name: 'kind', value: 'reply-digest' }],
          },
        ],
        { idempotencyKey: key },
      );
      if (!outcome?.ok) failed++;
    } catch (error) {
      failed++;
      deps.logger.warn({ err: error, to: user.email }, 'reply digest not sent');
    }
  }
  return { replies: rows.length, recipients: recipients.length, failed };
}
