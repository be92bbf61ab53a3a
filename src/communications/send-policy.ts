import { and, eq, inArray, ne } from 'drizzle-orm';
import { listSegments, segmentCounts } from '../audience/segment-audience.js';
import { type Config, displayNameOf } from '../config.js';
import type { Db } from '../db/client.js';
import { communications } from '../db/schema.js';
import type { EventType } from '../incidents/lifecycle.js';
import type { CommunicationSummary } from '../incidents/schemas.js';
import { decide, kindByEvent, resolvePolicy, type Severity, templateByKind } from './policy.js';
import { insertCommunication, type VersionContent } from './versions.js';

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
 */
export async function planAutomaticNotices(
  tx: Db,
  config: Pick<Config, 'from' | 'noticeHoldSeconds'>,
  input: NoticeInput,
): Promise<CommunicationSummary[]> {
  const { incident, now } = input;
  const kind = kindByEvent[input.eventType];
  if (kind === 'apology') return [];
  const scope = { regions: incident.regions, components: incident.components };
  const [segments, counts] = await Promise.all([listSegments(tx), segmentCounts(tx, scope)]);
  const recipientsOf = new Map(counts.map((c) => [c.segment, c.recipients]));
  const planned: CommunicationSummary[] = [];

  for (const segment of segments) {
    const decision = decide(
      resolvePolicy(segment.sendPolicy),
      { type: input.eventType, severity: incident.severity as Severity, notify: input.notify ?? true },
      config.noticeHoldSeconds,
    );
    const recipients = recipientsOf.get(segment.key) ?? 0;
    if (!decision.notify || recipients === 0) continue;

    const replaced = await tx
      .update(communications)
      .set({ status: 'cancelled', updatedAt: now })
      .where(
        and(
          eq(communications.incidentId, incident.id),
          eq(communications.segment, segment.key),
          eq(communications.status, 'scheduled'),
          ne(communications.kind, 'apology'),
        ),
      )
      .returning({ id: communications.id });
    const everSent = await tx
      .select({ id: communications.id })
      .from(communications)
      .where(
        and(
          eq(communications.incidentId, incident.id),
          eq(communications.segment, segment.key),
          inArray(communications.status, ['sending', 'sent']),
        ),
      )
      .limit(1);
    const brief = kind === 'resolution' && replaced.length > 0 && everSent.length === 0;

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
    const id = await insertCommunication(
      tx,
      {
        incidentId: incident.id,
        eventId: input.eventId,
        kind,
        segment: segment.key,
        status: 'scheduled',
        from: config.from,
        recipients,
        sendAt,
      },
      content,
      { createdBy: 'system', now },
    );
    planned.push({
      id,
      segment: segment.key,
      kind,
      status: 'scheduled',
      recipients,
      send_at: sendAt.toISOString(),
    });
  }
  return planned;
}
