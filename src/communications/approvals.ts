import { createHash } from 'node:crypto';
import { and, desc, eq, inArray } from 'drizzle-orm';
import { appendAudit } from '../audit/audit-log.js';
import type { Db } from '../db/client.js';
import { newId } from '../db/ids.js';
import { approvals, communications, communicationVersions } from '../db/schema.js';
import { conflict, forbidden, notFound } from '../http/errors.js';
import { canonicalJson } from '../lib/canonical-json.js';
import { contentHash, type VersionContent } from './versions.js';

type CommunicationRow = typeof communications.$inferSelect;
type VersionRow = typeof communicationVersions.$inferSelect;
type ApprovalRow = typeof approvals.$inferSelect;

/**
 * SHA-256 of the frozen payload an approval binds: the version's template, subject, Markdown body and
 * props plus the communication's From. It is the input of the render, not rendered bytes: rendered HTML
 * changes with every template or library upgrade and per recipient, which would void approvals for
 * reasons the executive never saw, while everything the executive did see and approve is in here.
 * Always recomputed from the rows, never read from `content_hash`, so an edit that bypassed the API
 * still fails the comparison.
 */
export function approvalPayloadHash(
  communication: Pick<CommunicationRow, 'from'>,
  version: VersionContent,
): string {
  const payload = {
    from: communication.from,
    template: version.template,
    subject: version.subject,
    body: version.body,
    props: version.props,
  };
  return createHash('sha256').update(canonicalJson(payload)).digest('hex');
}

/** The send path found content other than what the executive approved; nothing may be sent. */
export class ApprovalMismatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ApprovalMismatchError';
  }
}

/** The latest decision on one version of a communication, or undefined. */
export async function latestDecision(db: Db, communicationId: string, version: number) {
  const [row] = await db
    .select()
    .from(approvals)
    .where(and(eq(approvals.communicationId, communicationId), eq(approvals.version, version)))
    .orderBy(desc(approvals.createdAt), desc(approvals.id))
    .limit(1);
  return row;
}

/** The hash the current version was approved with, or null when it is not (or no longer) approved. */
export async function approvedContentHash(db: Db, communicationId: string): Promise<string | null> {
  const [row] = await db.select().from(communications).where(eq(communications.id, communicationId));
  if (!row) return null;
  const decision = await latestDecision(db, communicationId, row.currentVersion);
  return decision?.decision === 'approved' ? decision.contentHash : null;
}

/**
 * Throws `ApprovalMismatchError` unless `version` of an apology is its current version, its content
 * still hashes to what was stored, and the latest decision on it is an approval of exactly this payload.
 * Other kinds need no approval and pass. The send worker calls this before every batch.
 */
export async function assertApprovedForSend(
  db: Db,
  communication: Pick<CommunicationRow, 'id' | 'kind' | 'from' | 'currentVersion'>,
  version: VersionRow,
): Promise<void> {
  if (communication.kind !== 'apology') return;
  const where = `communication ${communication.id} v${version.version}`;
  if (version.communicationId !== communication.id || version.version !== communication.currentVersion) {
    throw new ApprovalMismatchError(`${where} is not the current version`);
  }
  const { template, subject, body, props } = version;
  if (contentHash({ template, subject, body, props }) !== version.contentHash) {
    throw new ApprovalMismatchError(`${where} no longer matches its stored content hash`);
  }
  const decision = await latestDecision(db, communication.id, version.version);
  if (decision?.decision !== 'approved') throw new ApprovalMismatchError(`${where} is not approved`);
  if (decision.contentHash !== approvalPayloadHash(communication, version)) {
    throw new ApprovalMismatchError(`${where} differs from the content that was approved`);
  }
}

export interface DecisionInput {
  communicationId: string;
  /** The version the approver saw; must still be current. */
  version: number;
  decision: 'approved' | 'rejected';
  approverUserId: string;
  reason?: string | undefined;
  /** Audit actor. */
  actor: string;
  /** `session` or `link`, recorded in the audit entry. */
  via: 'session' | 'link';
  /** For links: the payload hash the link was issued for; a different current payload is stale. */
  expectedHash?: string;
  /** For links: approval rows at or after this instant mean the link was already used. */
  usedIfDecidedSince?: Date;
  /** Extra audit details (never secrets). */
  details?: Record<string, unknown>;
  now?: Date;
}

export class LinkAlreadyUsedError extends Error {
  constructor() {
    super('This approval link was already used.');
    this.name = 'LinkAlreadyUsedError';
  }
}

/**
 * Records an approval or rejection of one version, with the payload hash, and moves the communication
 * (`approved`, or back to `draft`) in the same transaction as the audit entry. Only the named sender may
 * decide on an apology; a decision on a version that is no longer current is 409 `stale_version`.
 */
export async function decide(db: Db, input: DecisionInput): Promise<ApprovalRow> {
  const now = input.now ?? new Date();
  return db.transaction(async (tx) => {
    const [communication] = await tx
      .select()
      .from(communications)
      .where(eq(communications.id, input.communicationId));
    if (!communication) throw notFound('Communication', input.communicationId);
    if (communication.kind !== 'apology') {
      throw conflict('approval_not_required', 'Only apologies are approved; send this one directly.');
    }
    if (communication.senderUserId !== input.approverUserId) {
      throw forbidden('Only the executive this apology goes out as may approve or reject it.');
    }
    if (input.usedIfDecidedSince) {
      const earlier = await latestDecision(tx, communication.id, input.version);
      if (earlier && earlier.createdAt >= input.usedIfDecidedSince) throw new LinkAlreadyUsedError();
    }
    if (input.version !== communication.currentVersion) {
      throw conflict(
        'stale_version',
        `Version ${input.version} is not the current version (${communication.currentVersion}); review the current one.`,
      );
    }
    const [version] = await tx
      .select()
      .from(communicationVersions)
      .where(
        and(
          eq(communicationVersions.communicationId, communication.id),
          eq(communicationVersions.version, input.version),
        ),
      );
    if (!version) throw notFound('Communication version', `${communication.id} v${input.version}`);
    const hash = approvalPayloadHash(communication, version);
    if (input.expectedHash && input.expectedHash !== hash.slice(0, input.expectedHash.length)) {
      throw conflict('stale_version', 'The content changed after this approval was requested.');
    }
    const next = input.decision === 'approved' ? ('approved' as const) : ('draft' as const);
    const moved = await tx
      .update(communications)
      .set({ status: next, updatedAt: now })
      .where(
        and(
          eq(communications.id, communication.id),
          eq(communications.currentVersion, input.version),
          inArray(communications.status, ['draft', 'pending_approval']),
        ),
      )
      .returning({ id: communications.id });
    if (moved.length === 0) {
      throw conflict(
        'invalid_state',
        `Communication ${communication.id} is ${communication.status}; only a draft or a pending apology can be decided on.`,
      );
    }
    const [row] = await tx
      .insert(approvals)
      .values({
        id: newId('apr', now.getTime()),
        communicationId: communication.id,
        version: input.version,
        approverUserId: input.approverUserId,
        contentHash: hash,
        decision: input.decision,
        reason: input.reason ?? null,
        createdAt: now,
      })
      .returning();
    await appendAudit(tx, {
      actor: input.actor,
      action: input.decision === 'approved' ? 'communication.approve' : 'communication.reject',
      subjectType: 'communication',
      subjectId: communication.id,
      details: {
        version: input.version,
        content_hash: version.contentHash,
        approved_payload_hash: hash,
        via: input.via,
        ...(input.reason ? { reason: input.reason } : {}),
        ...input.details,
      },
    });
    return row!;
  });
}
