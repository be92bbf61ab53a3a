import { type SQL, sql } from 'drizzle-orm';
import { audienceSnapshot } from '../audience/audience-snapshot.js';
import { type Config, displayNameOf } from '../config.js';
import { selectRows, textArray } from '../db/arrays.js';
import type { Db } from '../db/client.js';
import { communications } from '../db/schema.js';
import type { EventType } from '../incidents/lifecycle.js';
import type { CommunicationSummary } from '../incidents/schemas.js';
import { decide, kindByEvent, resolvePolicy, type Severity, templateByKind } from './policy.js';
import { communicationWrites, type VersionContent } from './versions.js';

export interface IncidentSnapshot {
  id: string;
  title: string;
  status: string;
  severity: string;
  components: string[];
  regions: string[];
  startedAt: Date;
  resolvedAt?: Date | null;
}

export interface NoticeInput {
  incident: IncidentSnapshot;
  eventId: string;
  eventType: EventType;
  message: string | undefined;
  /** `notify: false` on the event: store, move the incident, mail nobody. */
  notify?: boolean;
  /** The audience version, when the caller read it already in this transaction. */
  audienceVersion?: string | null;
  /** The incident was created by this event, so it has no earlier notices to replace. */
  newIncident?: boolean;
  /** A condition the notices' inserts run under: for a statement that inserts their incident too. */
  onlyIf?: SQL;
  now: Date;
}

/** The company name in a `From` like `Acme Status <status@acme.example>`: "Acme". */
export function companyOf(from: string): string {
  const name = displayNameOf(from);
  return name ? name.replace(/\s+(status|support|team)$/i, '') : 'Our';
}

/**
 * Automatic e-mail for one event: one communication per segment whose policy says to mail this event,
 * held for the segment's hold window so staff can preview, edit or cancel it. A newer event for the
 * same incident and segment replaces a communication that has not gone out, so a short flap yields one
 * e-mail saying where things stand; a resolution that replaces the first notice says it was brief.
 *
 * Reads (and cancels what it replaces) in `tx`, but returns the inserts of the new notices as `writes`
 * for the caller to run with its own (`executeWrites`).
 */
export async function planAutomaticNotices(
  tx: Db,
  config: Pick<Config, 'from' | 'noticeHoldSeconds'>,
  input: NoticeInput,
): Promise<{ communications: CommunicationSummary[]; writes: SQL[] }> {
  const { incident, now } = input;
  const kind = kindByEvent[input.eventType];
  const none = { communications: [], writes: [] };
  if (kind === 'apology') return none;
  const scope = { regions: incident.regions, components: incident.components };
  const { segments, counts } = await audienceSnapshot(tx, scope, input.audienceVersion);
  const recipientsOf = new Map(counts.map((c) => [c.segment, c.recipients]));

  const notifying = segments.flatMap((segment) => {
    const decision = decide(
      resolvePolicy(segment.sendPolicy),
      { type: input.eventType, severity: incident.severity as Severity, notify: input.notify ?? true },
      config.noticeHoldSeconds,
    );
    const recipients = recipientsOf.get(segment.key) ?? 0;
    return decision.notify && recipients > 0 ? [{ segment, decision, recipients }] : [];
  });
  if (notifying.length === 0) return none;
  const earlier = input.newIncident
    ? { replaced: new Set<string>(), sent: new Set<string>() }
    : await replaceUnsentNotices(
        tx,
        incident.id,
        notifying.map((n) => n.segment.key),
        now,
      );

  const notices = notifying.map(({ segment, decision, recipients }) => {
    const brief =
      kind === 'resolution' && earlier.replaced.has(segment.key) && !earlier.sent.has(segment.key);
    const content: VersionContent = {
      template: templateByKind[kind],
      subject: `${companyOf(config.from)} incident: ${incident.title}`,
      body: input.message ?? null,
      props: {
        title: incident.title,
        status: incident.status,
        severity: incident.severity,
        message: input.message ?? '',
        components: incident.components,
        regions: incident.regions,
        startedAt: incident.startedAt.toISOString(),
        ...(incident.resolvedAt ? { resolvedAt: incident.resolvedAt.toISOString() } : {}),
        companyName: companyOf(config.from),
        ...(brief ? { brief: true } : {}),
      },
    };
    const sendAt = new Date(now.getTime() + decision.holdSeconds * 1000);
    const row = {
      incidentId: incident.id,
      eventId: input.eventId,
      kind,
      segment: segment.key,
      status: 'scheduled' as const,
      from: config.from,
      recipients,
      sendAt,
      // Ingest adds the fan-out job right after commit, and takes this mark back if Redis refuses.
      fanoutEnqueuedAt: now,
    };
    return { row, content };
  });
  const { ids, writes } = communicationWrites(notices, { createdBy: 'system', now }, input.onlyIf);
  const summaries = notices.map(({ row }, i) => ({
    id: ids[i]!,
    segment: row.segment,
    kind,
    status: 'scheduled',
    recipients: row.recipients,
    send_at: row.sendAt.toISOString(),
  }));
  return { communications: summaries, writes };
}

/**
 * Cancels the incident's automatic notices that have not gone out for these segments (the new one
 * replaces them) and tells, per segment, whether one was replaced and whether any was ever sent: one
 * statement for every segment of the event rather than two per segment.
 */
async function replaceUnsentNotices(
  tx: Db,
  incidentId: string,
  segmentKeys: string[],
  now: Date,
): Promise<{ replaced: Set<string>; sent: Set<string> }> {
  const rows = await selectRows<{ segment: string; what: 'replaced' | 'sent' }>(
    tx,
    sql`
    with replaced as (
      update ${communications} set status = 'cancelled', updated_at = ${now.toISOString()}::timestamptz
      where incident_id = ${incidentId} and segment = any(${textArray(segmentKeys)})
        and status = 'scheduled' and kind <> 'apology'
      returning segment
    )
    select segment, 'replaced' as what from replaced
    union
    select segment, 'sent' as what from ${communications}
    where incident_id = ${incidentId} and segment = any(${textArray(segmentKeys)}) and status in ('sending', 'sent')`,
  );
  const of = (what: string) => new Set(rows.filter((r) => r.what === what).map((r) => r.segment));
  return { replaced: of('replaced'), sent: of('sent') };
}
