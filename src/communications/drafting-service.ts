import { eq } from 'drizzle-orm';
import { segmentCounts } from '../audience/segment-audience.js';
import { findSegment } from '../audience/segment-store.js';
import { appendAudit } from '../audit/audit-log.js';
import type { Config } from '../config.js';
import type { Db } from '../db/client.js';
import { incidents } from '../db/schema.js';
import { notFound, unprocessable } from '../http/errors.js';
import { loadLintWordLists } from '../rendering/lint.js';
import { apologyFacts } from './apology-facts.js';
import { draftApology } from './drafting.js';
import { templateByKind } from './policy.js';
import type { CreateCommunicationBody } from './schemas.js';
import { companyOf } from './send-policy.js';
import { executiveSender, senderMailbox } from './senders.js';
import { contentHash, insertCommunication, type VersionContent } from './versions.js';

type IncidentRow = typeof incidents.$inferSelect;
const templateStatuses = new Set(['investigating', 'identified', 'monitoring', 'resolved', 'postmortem']);

/** Props of a staff-written update or notice: the same facts an automatic one carries, with staff's text. */
function staffNoticeProps(incident: IncidentRow, body: string, companyName: string) {
  const status = templateStatuses.has(incident.status)
    ? incident.status
    : incident.resolvedAt
      ? 'resolved'
      : 'investigating';
  return {
    title: incident.title,
    status,
    severity: incident.severity,
    message: body,
    body,
    components: incident.components,
    regions: incident.regions,
    startedAt: incident.startedAt.toISOString(),
    ...(incident.resolvedAt ? { resolvedAt: incident.resolvedAt.toISOString() } : {}),
    companyName,
  };
}

export interface CreateDraftOptions {
  /** Audit actor (`actorOf(principal)`). */
  actor: string;
  now?: Date;
}

/**
 * Creates a communication as a draft (version 1). An apology names its executive sender, goes out from
 * that executive's address and, without a body, is drafted from the incident's facts; updates and
 * notices are staff-written text in the kind's usual template, from the default sender.
 */
export async function createDraft(
  deps: { db: Db; config: Pick<Config, 'from' | 'senderDomains' | 'lintConfigPath'> },
  incidentId: string,
  input: CreateCommunicationBody,
  options: CreateDraftOptions,
): Promise<string> {
  const { db, config } = deps;
  const now = options.now ?? new Date();
  const [incident] = await db.select().from(incidents).where(eq(incidents.id, incidentId));
  if (!incident) throw notFound('Incident', incidentId);
  if (!(await findSegment(db, input.segment))) {
    throw unprocessable('unknown_segment', `Segment ${input.segment} does not exist.`, [
      { path: 'segment', message: 'not a segment key' },
    ]);
  }
  const companyName = companyOf(config.from);
  let content: VersionContent;
  let from = config.from;
  let senderUserId: string | null = null;

  if (input.kind === 'apology') {
    if (!input.sender) {
      throw unprocessable('sender_not_executive', 'An apology needs the user id of its executive sender.', [
        { path: 'sender', message: 'required for an apology' },
      ]);
    }
    const sender = await executiveSender(db, config.senderDomains, input.sender);
    const draft =
      input.body && input.subject
        ? { subject: input.subject, body: input.body }
        : draftApology(
            await apologyFacts(db, incidentId, now),
            await loadLintWordLists(config.lintConfigPath),
          );
    const body = input.body ?? draft.body;
    content = {
      template: 'executive-apology',
      subject: input.subject ?? draft.subject,
      body,
      props: {
        body,
        sender: {
          name: sender.name,
          title: sender.title,
          ...(sender.signature ? { signature: sender.signature } : {}),
        },
        companyName,
      },
    };
    from = senderMailbox(sender);
    senderUserId = sender.userId;
  } else {
    if (!input.body) {
      throw unprocessable('body_required', `A ${input.kind} written by staff needs a body.`, [
        { path: 'body', message: 'required' },
      ]);
    }
    content = {
      template: templateByKind[input.kind],
      subject: input.subject ?? `${companyName} incident: ${incident.title}`,
      body: input.body,
      props: staffNoticeProps(incident, input.body, companyName),
    };
  }

  const counts = await segmentCounts(db, { regions: incident.regions, components: incident.components });
  const recipients = counts.find((c) => c.segment === input.segment)?.recipients ?? 0;
  const hash = contentHash(content);
  const id = await db.transaction(async (tx) => {
    const created = await insertCommunication(
      tx,
      {
        incidentId,
        kind: input.kind,
        segment: input.segment,
        status: 'draft',
        senderUserId,
        from,
        recipients,
      },
      content,
      { createdBy: options.actor, now },
    );
    await appendAudit(tx, {
      actor: options.actor,
      action: 'communication.create',
      subjectType: 'communication',
      subjectId: created,
      details: {
        incident_id: incidentId,
        kind: input.kind,
        segment: input.segment,
        sender_user_id: senderUserId,
        from,
        version: 1,
        content_hash: hash,
        drafted: input.kind === 'apology' && !input.body,
      },
    });
    return created;
  });
  return id;
}
