import { describe, expect, it } from 'vitest';
import { HttpError } from '../../src/http/errors.js';
import {
  eventTypeFor,
  severityFor,
  statuspageBodySchema,
  translateStatuspage,
} from '../../src/incidents/adapters/statuspage.js';
import { slugify } from '../../src/incidents/adapters/text.js';
import {
  humanDuration,
  translateUptimeRobot,
  uptimeRobotBodySchema,
} from '../../src/incidents/adapters/uptimerobot.js';
import { requestHash } from '../../src/incidents/idempotency.js';
import { ordinal, seriesLabel } from '../../src/incidents/series.js';
import { canonicalJson } from '../../src/lib/canonical-json.js';
import { fixture } from './fixtures/load.js';

const monitors = { '788411295': { components: ['helpdesk'], regions: ['US'] } };
const at = new Date('2017-05-15T15:00:00Z');
const uptime = (name: string, patch: Record<string, unknown> = {}) =>
  translateUptimeRobot(uptimeRobotBodySchema.parse({ ...fixture(name), ...patch }), monitors, at);
const statuspage = (name: string) => translateStatuspage(statuspageBodySchema.parse(fixture(name)));

function thrown(fn: () => unknown): HttpError {
  try {
    fn();
  } catch (error) {
    if (error instanceof HttpError) return error;
    throw error;
  }
  throw new Error('expected an HttpError');
}

describe('Uptime Robot adapter', () => {
  it('turns a down alert into an investigating event keyed by the monitor', () => {
    const result = uptime('uptimerobot-down');
    if (!('event' in result)) throw new Error('ignored');
    expect(result.event).toEqual({
      id: 'uptimerobot:788411295:1:2017-05-15T14:02:00.000Z',
      type: 'incident.investigating',
      occurred_at: '2017-05-15T14:02:00.000Z',
      incident: {
        series_key: 'uptimerobot:788411295',
        title: 'Help desk (US) is down',
        severity: 'major',
        components: ['helpdesk'],
        regions: ['us'],
        started_at: '2017-05-15T14:02:00.000Z',
      },
      message: 'Help desk (US) is down: Connection Timeout.',
      notify: true,
    });
  });

  it('turns an up alert into a resolution with the outage length', () => {
    const result = uptime('uptimerobot-up');
    if (!('event' in result)) throw new Error('ignored');
    expect(result.event).toMatchObject({
      type: 'incident.resolved',
      occurred_at: '2017-05-15T14:07:47.000Z',
      message: 'Help desk (US) is back up after 5 minutes.',
      incident: { series_key: 'uptimerobot:788411295' },
    });
    expect(result.event.incident.ref).toBeUndefined();
  });

  it('accepts numbers where the JSON POST value left variables unquoted, and unmapped monitors mean everyone', () => {
    const result = uptime('uptimerobot-down', { monitorID: 42, alertType: 1, alertDateTime: 1494856920 });
    if (!('event' in result)) throw new Error('ignored');
    expect(result.event.incident).toMatchObject({
      series_key: 'uptimerobot:42',
      components: [],
      regions: [],
    });
  });

  it('answers 422 unfilled_placeholder for a test notification', () => {
    const error = thrown(() => uptime('uptimerobot-test-placeholders'));
    expect(error.statusCode).toBe(422);
    expect(error.code).toBe('unfilled_placeholder');
    expect(error.details).toEqual([
      { path: 'monitorID', message: 'unfilled placeholder' },
      { path: 'alertType', message: 'unfilled placeholder' },
    ]);
  });

  it('tolerates unfilled optional variables and falls back to the receipt time', () => {
    const result = uptime('uptimerobot-down', {
      alertDetails: '*alertDetails*',
      alertDateTime: '*alertDateTime*',
      monitorFriendlyName: '*monitorFriendlyName*',
    });
    if (!('event' in result)) throw new Error('ignored');
    expect(result.event.occurred_at).toBe(at.toISOString());
    expect(result.event.incident.title).toBe('https://help.acme.example/healthz is down');
    expect(result.event.message).toBe('https://help.acme.example/healthz is down.');
  });

  it('ignores other alert types and refuses nonsense', () => {
    expect(uptime('uptimerobot-down', { alertType: '3' })).toEqual({
      ignored: 'alertType 3 is not a down or up alert.',
    });
    expect(thrown(() => uptime('uptimerobot-down', { alertType: 'down' })).statusCode).toBe(400);
    expect(thrown(() => uptime('uptimerobot-down', { alertDateTime: 'yesterday' })).statusCode).toBe(400);
    expect(thrown(() => uptime('uptimerobot-down', { monitorID: '' })).code).toBe('validation_failed');
  });

  it('writes durations for people', () => {
    expect(humanDuration(45)).toBe('45 seconds');
    expect(humanDuration(60)).toBe('1 minute');
    expect(humanDuration(3900)).toBe('1 hour 5 minutes');
    expect(humanDuration(7200)).toBe('2 hours');
  });
});

describe('Statuspage adapter', () => {
  it('turns each update into an event, oldest first, with the update id as event id', () => {
    const result = statuspage('statuspage-incident-resolved');
    if (!('events' in result)) throw new Error('ignored');
    expect(result.events.map((e) => [e.id, e.type, e.occurred_at])).toEqual([
      ['statuspage:k2hd81mbx0qa', 'incident.investigating', '2017-05-15T14:02:11.031Z'],
      ['statuspage:x7nq0t2c9w4m', 'incident.identified', '2017-05-15T14:19:01.880Z'],
      ['statuspage:m5c8b2ye7tfs', 'incident.monitoring', '2017-05-15T14:27:45.410Z'],
      ['statuspage:r9w3vd5kq1zp', 'incident.resolved', '2017-05-15T14:41:30.002Z'],
    ]);
    expect(result.events[0]!.incident).toEqual({
      ref: 'statuspage:p31zjtct2jer',
      title: 'Errors loading the help desk',
      severity: 'major',
      components: ['help-desk', 'rest-api'],
      regions: [],
      started_at: '2017-05-15T14:00:00.000Z',
    });
    expect(result.events[0]!.message).toMatch(/^Some customers in the US/);
    expect(result.events.every((e) => e.notify)).toBe(true);
  });

  it('reads Instatus payloads (upper-case statuses, its impacts, affected_components)', () => {
    const result = statuspage('instatus-incident');
    if (!('events' in result)) throw new Error('ignored');
    expect(result.events.map((e) => e.type)).toEqual(['incident.investigating', 'incident.monitoring']);
    expect(result.events[0]!.incident).toMatchObject({ severity: 'major', components: ['chat-widget'] });
  });

  it('maps maintenance statuses to maintenance events', () => {
    const result = statuspage('statuspage-maintenance');
    if (!('events' in result)) throw new Error('ignored');
    expect(result.events.map((e) => e.type)).toEqual(['maintenance.scheduled', 'maintenance.started']);
    expect(result.events[0]!.incident).toMatchObject({
      severity: 'minor',
      started_at: '2017-05-21T02:00:00.000Z',
    });
  });

  it('ignores component-only webhooks and never mails backfilled incidents', () => {
    expect(statuspage('statuspage-component-update')).toEqual({
      ignored: 'No incident or maintenance in the payload (a component update?).',
    });
    const body = fixture<{ incident: Record<string, unknown> }>('statuspage-incident-identified');
    body.incident.backfilled = true;
    const result = translateStatuspage(statuspageBodySchema.parse(body));
    expect('events' in result && result.events.every((e) => !e.notify)).toBe(true);
  });

  it('maps every status and impact', () => {
    expect(
      [
        'investigating',
        'identified',
        'monitoring',
        'resolved',
        'postmortem',
        'scheduled',
        'in_progress',
        'verifying',
        'completed',
        'NOTSTARTEDYET',
        'INPROGRESS',
      ].map(eventTypeFor),
    ).toEqual([
      'incident.investigating',
      'incident.identified',
      'incident.monitoring',
      'incident.resolved',
      'incident.postmortem',
      'maintenance.scheduled',
      'maintenance.started',
      'maintenance.started',
      'maintenance.completed',
      'maintenance.scheduled',
      'maintenance.started',
    ]);
    expect(thrown(() => eventTypeFor('exploded')).statusCode).toBe(400);
    expect(['none', 'minor', 'major', 'critical', 'MAJOROUTAGE', undefined].map(severityFor)).toEqual([
      'minor',
      'minor',
      'major',
      'critical',
      'critical',
      'minor',
    ]);
  });
});

describe('helpers', () => {
  it('slugs component names', () => {
    expect(slugify('Help Desk')).toBe('help-desk');
    expect(slugify('  API (v2) / EU  ')).toBe('api-v2-eu');
    expect(slugify('Zürich Région')).toBe('zurich-region');
  });

  it('writes English ordinals and series labels', () => {
    expect([1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 101, 111, 112].map(ordinal)).toEqual([
      '1st',
      '2nd',
      '3rd',
      '4th',
      '11th',
      '12th',
      '13th',
      '21st',
      '22nd',
      '23rd',
      '101st',
      '111th',
      '112th',
    ]);
    const first = new Date('2017-05-15T09:00:00Z');
    expect(seriesLabel(3, new Date('2017-05-15T23:59:00Z'), first)).toBe('3rd disruption today');
    expect(seriesLabel(4, new Date('2017-05-16T00:10:00Z'), first)).toBe('4th disruption in a row');
  });

  it('hashes bodies independently of key order, but not of route or values', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[1,{"x":1,"y":2}]},"b":1}',
    );
    expect(requestHash('POST /v1/events', { a: 1, b: 2 })).toBe(
      requestHash('POST /v1/events', { b: 2, a: 1 }),
    );
    expect(requestHash('POST /v1/events', { a: 1 })).not.toBe(requestHash('POST /v1/events', { a: 2 }));
    expect(requestHash('POST /v1/events', { a: 1 })).not.toBe(requestHash('POST /x', { a: 1 }));
  });
});
