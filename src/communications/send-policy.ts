import { and, eq, inArray, sql } from 'drizzle-orm';
import { countAffected } from '../audience/affected.js';
import type { Config } from '../config.js';
import type { Db } from '../db/client.js';
import { newId } from '../db/ids.js';
import { communications, communicationVersions } from '../db/schema.js';
import type { EventType } from '../incidents/lifecycle.js';
import type { CommunicationSummary } from '../incidents/schemas.js';
import { contentHash, type VersionContent } from './versions.js';

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0] | Db;

export type CommunicationKind = 'notice' | 'update' | 'resolution' | 'postmortem' | 'maintenance' | 'apology';

const KIND_BY_EVENT: Record<EventType, CommunicationKind> = {
  'incident.investigating': 'notice',
  'incident.identified': 'notice',
  'incident.monitoring': 'notice',
  'incident.update': 'update',
  'incident.resolved': 'resolution',
  'incident.postmortem': 'postmortem',
  'maintenance.scheduled': 'maintenance',
  'maintenance.started': 'maintenance',
  'maintenance.completed': 'maintenance',
};

/** The segment automatic notices go to until segment rules arrive: customers sharing a region and a component. */
export const AFFECTED_SEGMENT = 'affected';

export interface IncidentSnapshot {
  id: string;
  title: string;
  status: string;
  severity: string;
  components: string[];
  regions: string[];
  startedAt: Date;
}

export interface NoticeInput {
  incident: IncidentSnapshot;
  eventId: string;
  eventType: EventType;
  message: string | undefined;
  now: Date;
}

function companyOf(from: string): string {
  const name = from.match(/^\s*"?([^"<]+?)"?\s*</)?.[1]?.trim();
  return name ? name.replace(/\s+(status|support|team)$/i, '') : 'Our';
}

/**
 * Automatic notices for one event. A notice waits out the hold window so staff can preview, edit or
 * cancel it; a newer event for the same incident and segment supersedes a notice that has not gone out
 * yet, so a short flap yields one e-mail saying where things stand rather than one per state change.
 */
export async function planAutomaticNotices(
  tx: Tx,
  config: Pick<Config, 'from' | 'noticeHoldSeconds'>,
  input: NoticeInput,
): Promise<CommunicationSummary[]> {
  const { incident, now } = input;
  await tx
    .update(communications)
    .set({ status: 'cancelled', updatedAt: now })
    .where(
      and(
        eq(communications.incidentId, incident.id),
        eq(communications.segment, AFFECTED_SEGMENT),
        inArray(communications.status, ['scheduled']),
        sql`${communications.kind} <> 'apology'`,
      ),
    );

  const audience = await countAffected(tx as Db, {
    regions: incident.regions,
    components: incident.components,
  });
  const kind = KIND_BY_EVENT[input.eventType];
  const sendAt = new Date(now.getTime() + config.noticeHoldSeconds * 1000);
  const content: VersionContent = {
    template: 'incident-notice',
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
      companyName: companyOf(config.from),
    },
  };
  const id = newId('com', now.getTime());
  await tx.insert(communications).values({
    id,
    incidentId: incident.id,
    eventId: input.eventId,
    kind,
    segment: AFFECTED_SEGMENT,
    status: 'scheduled',
    from: config.from,
    currentVersion: 1,
    recipients: audience.recipients,
    sendAt,
    createdAt: now,
    updatedAt: now,
  });
  await tx.insert(communicationVersions).values({
    id: newId('ver', now.getTime()),
    communicationId: id,
    version: 1,
    ...content,
    contentHash: contentHash(content),
    createdBy: 'system',
    createdAt: now,
  });
  return [
    {
      id,
      segment: AFFECTED_SEGMENT,
      kind,
      status: 'scheduled',
      recipients: audience.recipients,
      send_at: sendAt.toISOString(),
    },
  ];
}
