import { z } from 'zod';
import type { EventType } from '../incidents/lifecycle.js';

export type Severity = 'minor' | 'major' | 'critical';
const severityRank: Record<Severity, number> = { minor: 0, major: 1, critical: 2 };

/**
 * When automatic e-mail goes out. The defaults follow what customers told the story's company: hear
 * early (investigating, identified), hear when it is over (resolved, postmortem), and not be mailed for
 * "monitoring", which changes nothing for them. A segment's `send_policy` overrides any of these.
 */
export const sendPolicySchema = z.object({
  /** `false` turns automatic mail off for the segment (the default `unaffected` segment). */
  notify: z.boolean().default(true),
  /** Event types that mail this segment. */
  notify_on: z
    .array(z.string())
    .default([
      'incident.investigating',
      'incident.identified',
      'incident.resolved',
      'incident.update',
      'incident.postmortem',
      'maintenance.scheduled',
      'maintenance.started',
      'maintenance.completed',
    ]),
  /** Incidents below this severity are not mailed. */
  min_severity: z.enum(['minor', 'major', 'critical']).default('minor'),
  /** Hold window per severity in seconds; unset ones use CANDOR_NOTICE_HOLD_SECONDS. */
  hold_seconds: z
    .object({
      minor: z.number().int().min(0).optional(),
      major: z.number().int().min(0).optional(),
      critical: z.number().int().min(0).optional(),
    })
    .default({}),
});
export type SendPolicy = z.infer<typeof sendPolicySchema>;

/** A segment's stored policy (possibly partial or absent) with the defaults filled in. */
export function resolvePolicy(stored: unknown): SendPolicy {
  const parsed = sendPolicySchema.safeParse(stored ?? {});
  return parsed.success ? parsed.data : sendPolicySchema.parse({});
}

export interface PolicyDecision {
  notify: boolean;
  holdSeconds: number;
}

export function decide(
  policy: SendPolicy,
  event: { type: EventType; severity: Severity; notify: boolean },
  defaultHoldSeconds: number,
): PolicyDecision {
  const holdSeconds = policy.hold_seconds[event.severity] ?? defaultHoldSeconds;
  const notify =
    event.notify &&
    policy.notify &&
    policy.notify_on.includes(event.type) &&
    severityRank[event.severity] >= severityRank[policy.min_severity];
  return { notify, holdSeconds };
}

export type CommunicationKind = 'notice' | 'update' | 'resolution' | 'postmortem' | 'maintenance' | 'apology';

export const kindByEvent: Record<EventType, CommunicationKind> = {
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

/** The template each kind of automatic e-mail renders through (a segment picks the variant). */
export const templateByKind: Record<Exclude<CommunicationKind, 'apology'>, string> = {
  notice: 'incident-notice',
  update: 'incident-update',
  resolution: 'incident-resolved',
  postmortem: 'postmortem',
  maintenance: 'maintenance',
};
