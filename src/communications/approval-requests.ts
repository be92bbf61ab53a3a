import { and, eq, inArray } from 'drizzle-orm';
import { markdownToText } from '../../emails/components/markdown.js';
import { appendAudit } from '../audit/audit-log.js';
import type { Principal } from '../auth/principal.js';
import { findUserById } from '../auth/users.js';
import { communications } from '../db/schema.js';
import type { AppDeps } from '../deps.js';
import { conflict, notFound } from '../http/errors.js';
import { renderCommunication } from '../rendering/render.js';
import { signApprovalToken } from './approval-links.js';
import { approvalPayloadHash } from './approvals.js';
import { MINUTES_AFFECTED } from './drafting.js';
import { communicationWithVersion } from './queries.js';
import { companyOf } from './send-policy.js';
import { executiveSender } from './senders.js';

export interface SubmitResult {
  status: 'pending_approval';
  version: number;
  expires_at: string;
  /** Whether the approval request e-mail was accepted by the transport; the session route works either way. */
  approval_email: 'sent' | 'failed';
}

/** The opening of the letter, as text, for the executive to recognise it in their inbox. */
function excerptOf(body: string | null): string {
  const text = markdownToText((body ?? '').replaceAll(MINUTES_AFFECTED, "[each customer's minutes]"));
  return text.length <= 400 ? text : `${text.slice(0, 400).replace(/\s+\S*$/, '')} …`;
}

async function requesterName(deps: Pick<AppDeps, 'database'>, principal: Principal): Promise<string> {
  if (principal.type === 'api_key') return principal.name;
  return (await findUserById(deps.database.db, principal.id))?.name ?? principal.email;
}

/**
 * Asks the named executive to approve the current version: the apology becomes `pending_approval` and the
 * executive gets an `approval-request` e-mail (one message, straight through the transport, not the
 * customer pipeline) with a signed link that works once, for 24 hours. Submitting again re-sends a fresh
 * link, e.g. after the first e-mail was lost. A failed e-mail does not undo the submission: the executive
 * can still approve in Candor, and staff can submit again.
 */
export async function submitForApproval(
  deps: Pick<AppDeps, 'database' | 'config' | 'transport' | 'signingSecret' | 'logger'>,
  id: string,
  principal: Principal,
  actor: string,
  now = new Date(),
): Promise<SubmitResult> {
  const { db } = deps.database;
  const row = await communicationWithVersion(db, id);
  if (!row) throw notFound('Communication', id);
  const { communication, version } = row;
  if (communication.kind !== 'apology') {
    throw conflict('approval_not_required', 'Only apologies need approval; send this one directly.');
  }
  const sender = await executiveSender(db, deps.config.senderDomains, communication.senderUserId ?? '');
  const hash = approvalPayloadHash(communication, version);
  const link = signApprovalToken(deps.signingSecret, {
    communicationId: id,
    version: version.version,
    contentHash: hash,
    issuedAt: now,
  });
  await db.transaction(async (tx) => {
    const moved = await tx
      .update(communications)
      .set({ status: 'pending_approval', updatedAt: now })
      .where(
        and(
          eq(communications.id, id),
          eq(communications.currentVersion, version.version),
          inArray(communications.status, ['draft', 'pending_approval']),
        ),
      )
      .returning({ id: communications.id });
    if (moved.length === 0) {
      throw conflict(
        'invalid_state',
        `Communication ${id} is ${communication.status}; only a draft can be submitted for approval.`,
      );
    }
    await appendAudit(tx, {
      actor,
      action: 'communication.submit',
      subjectType: 'communication',
      subjectId: id,
      details: {
        version: version.version,
        content_hash: version.contentHash,
        approval_payload_hash: hash,
        approver_user_id: sender.userId,
        link_nonce: link.claims.nonce,
        link_expires_at: link.claims.expiresAt.toISOString(),
      },
    });
  });

  const { config } = deps;
  let approvalEmail: SubmitResult['approval_email'] = 'sent';
  try {
    const rendered = await renderCommunication('approval-request', {
      executiveName: sender.name,
      requesterName: await requesterName(deps, principal),
      subject: version.subject,
      excerpt: excerptOf(version.body),
      recipients: communication.recipients,
      approvalUrl: `${config.publicUrl}/v1/approvals/${link.token}`,
      expiresAt: link.claims.expiresAt.toISOString(),
      companyName: companyOf(config.from),
    });
    const messageId = `approval_${id}_${link.claims.nonce}`;
    const [outcome] = await deps.transport.sendBatch(
      [
        {
          messageId,
          from: config.from,
          to: sender.loginEmail,
          replyTo: principal.type === 'user' ? principal.email : config.from,
          subject: rendered.subject,
          html: rendered.html,
          text: rendered.text,
          headers: { 'Auto-Submitted': 'auto-generated' },
          tags: [
            { name: 'communication', value: id },
            { name: 'kind', value: 'approval-request' },
          ],
        },
      ],
      { idempotencyKey: messageId },
    );
    if (!outcome?.ok) throw new Error(outcome ? outcome.error : 'no outcome');
  } catch (error) {
    approvalEmail = 'failed';
    deps.logger.warn({ err: error, communicationId: id }, 'approval request e-mail was not sent');
  }
  return {
    status: 'pending_approval',
    version: version.version,
    expires_at: link.claims.expiresAt.toISOString(),
    approval_email: approvalEmail,
  };
}
