import { z } from 'zod';
import type { Config } from '../../config.js';
import { badRequest, unprocessable } from '../../http/errors.js';
import type { EventBody } from '../schemas.js';
import { oneLine, slugs, validEvent } from './text.js';

const scalar = z.union([z.string(), z.number()]);

/**
 * Uptime Robot's webhook alert contact variables, sent either as the default POST parameters (form body)
 * or inside a user-written JSON "POST value" — where a number may arrive quoted or not. Unknown fields
 * are kept so that a user's extra variables do not make the alert fail.
 */
export const uptimeRobotBodySchema = z.looseObject({
  monitorID: scalar.optional(),
  monitorURL: scalar.optional(),
  monitorFriendlyName: scalar.optional(),
  alertType: scalar.optional(),
  alertTypeFriendlyName: scalar.optional(),
  alertDetails: scalar.optional(),
  alertDuration: scalar.optional(),
  alertDateTime: scalar.optional(),
  monitorAlertContacts: scalar.optional(),
  sslExpiryDate: scalar.optional(),
  sslExpiryDaysLeft: scalar.optional(),
});
export type UptimeRobotBody = z.infer<typeof uptimeRobotBodySchema>;

export type Translation = { event: EventBody } | { ignored: string };

/** `*monitorID*` and friends arrive literally when Uptime Robot sends a test or a variable is misspelt. */
const isPlaceholder = (value: string) => /^\*[A-Za-z]+\*$/.test(value);

function field(body: UptimeRobotBody, name: keyof UptimeRobotBody, unfilled: string[]): string | undefined {
  const raw = body[name];
  if (raw === undefined || raw === null) return undefined;
  const value = String(raw).trim();
  if (value === '') return undefined;
  if (isPlaceholder(value)) {
    unfilled.push(name as string);
    return undefined;
  }
  return value;
}

/** "1 hour 5 minutes", "4 minutes", "45 seconds". */
export function humanDuration(totalSeconds: number): string {
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  const part = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;
  if (hours > 0)
    return [part(hours, 'hour'), minutes ? part(minutes, 'minute') : ''].filter(Boolean).join(' ');
  if (minutes > 0) return part(minutes, 'minute');
  return part(seconds, 'second');
}

/**
 * Translates one Uptime Robot alert. Down (alertType 1) opens or updates the monitor's incident, up (2)
 * resolves it; both carry the series key `uptimerobot:<monitorID>` and no ref, so ingest picks the open
 * incident of the monitor or starts a new one per outage. Other alert types (3 = SSL expiry) are ignored.
 * A required variable left as its `*placeholder*` is 422 `unfilled_placeholder`, never a silent drop:
 * the same literal text arrives in real alerts when a variable name is misspelt.
 */
export function translateUptimeRobot(
  body: UptimeRobotBody,
  monitors: Config['uptimeRobotMonitors'],
  receivedAt: Date,
): Translation {
  const unfilled: string[] = [];
  const monitorId = field(body, 'monitorID', unfilled);
  const alertType = field(body, 'alertType', unfilled);
  const dateTime = field(body, 'alertDateTime', unfilled);
  const name =
    field(body, 'monitorFriendlyName', unfilled) ??
    field(body, 'monitorURL', unfilled) ??
    `Monitor ${monitorId}`;
  const details = field(body, 'alertDetails', unfilled);
  const duration = field(body, 'alertDuration', unfilled);

  const missing = [...(monitorId ? [] : ['monitorID']), ...(alertType ? [] : ['alertType'])];
  if (missing.length > 0) {
    const placeholders = missing.filter((m) => unfilled.includes(m));
    if (placeholders.length > 0) {
      throw unprocessable(
        'unfilled_placeholder',
        `Uptime Robot left ${placeholders.map((p) => `*${p}*`).join(' and ')} unfilled (a test notification or a misspelt variable); nothing was stored.`,
        placeholders.map((path) => ({ path, message: 'unfilled placeholder' })),
      );
    }
    throw badRequest(
      `The alert has no ${missing.join(' or ')}.`,
      missing.map((path) => ({ path, message: 'required' })),
    );
  }
  if (alertType !== '1' && alertType !== '2') {
    if (/^\d+$/.test(alertType!)) return { ignored: `alertType ${alertType} is not a down or up alert.` };
    throw badRequest('alertType must be 1 (down) or 2 (up).', [
      { path: 'alertType', message: `unknown value ${JSON.stringify(alertType)}` },
    ]);
  }

  const seconds = dateTime && /^\d+$/.test(dateTime) ? Number(dateTime) : undefined;
  if (dateTime && seconds === undefined) {
    throw badRequest('alertDateTime must be a unix time in seconds.', [
      { path: 'alertDateTime', message: `not a unix time: ${JSON.stringify(dateTime)}` },
    ]);
  }
  // Without a time the alert cannot be told apart from its retries; receipt time is the best there is.
  const occurredAt = new Date((seconds ?? Math.floor(receivedAt.getTime() / 1000)) * 1000).toISOString();
  const down = alertType === '1';
  const durationSeconds = duration && /^\d+$/.test(duration) ? Number(duration) : undefined;
  const target = monitors[monitorId!] ?? { components: [], regions: [] };
  const title = oneLine(`${name} is down`);
  const message = down
    ? `${name} is down${details ? `: ${details}` : ''}.`
    : `${name} is back up${durationSeconds ? ` after ${humanDuration(durationSeconds)}` : ''}.`;

  return {
    event: validEvent('Uptime Robot', {
      id: `uptimerobot:${monitorId}:${alertType}:${occurredAt}`,
      type: down ? 'incident.investigating' : 'incident.resolved',
      occurred_at: occurredAt,
      incident: {
        series_key: `uptimerobot:${monitorId}`,
        title,
        severity: 'major',
        components: slugs(target.components),
        regions: slugs(target.regions),
        ...(down ? { started_at: occurredAt } : {}),
      },
      message,
      notify: true,
    }),
  };
}
