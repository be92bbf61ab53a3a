import { z } from 'zod';
import { eventTypes } from './lifecycle.js';

const noLineBreaks = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .refine((v) => !/[\r\n]/.test(v), 'must not contain line breaks');
const slug = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9][a-z0-9_-]*$/, 'lowercase letters, digits, "-" and "_"');

export const eventBodySchema = z.object({
  id: z.string().min(1).max(200),
  type: z.enum(eventTypes),
  occurred_at: z.iso.datetime({ offset: true }),
  incident: z
    .object({
      ref: noLineBreaks(200)
        .optional()
        .describe(
          'Your id of the incident. May be left out when `series_key` is set: the event then goes to the open incident of that series, or opens a new one.',
        ),
      title: noLineBreaks(300),
      severity: z.enum(['minor', 'major', 'critical']),
      components: z.array(slug).max(100).default([]),
      regions: z.array(slug).max(100).default([]),
      started_at: z.iso.datetime({ offset: true }).optional(),
      series_key: noLineBreaks(200)
        .optional()
        .describe(
          'What links repeated outages of one thing (e.g. a monitor). Incidents with the same key that start within the flap window of the previous one form a series ("3rd disruption today").',
        ),
    })
    .superRefine((incident, ctx) => {
      if (incident.ref === undefined && incident.series_key === undefined) {
        ctx.addIssue({ code: 'custom', path: ['ref'], message: 'required unless series_key is set' });
      }
    }),
  message: z.string().max(10_000).optional(),
  notify: z.boolean().default(true),
});
export type EventBody = z.infer<typeof eventBodySchema>;

export const communicationSummarySchema = z.object({
  id: z.string(),
  segment: z.string(),
  kind: z.string(),
  status: z.string(),
  recipients: z.number().int(),
  send_at: z.string().nullable(),
});
export type CommunicationSummary = z.infer<typeof communicationSummarySchema>;

export const eventResponseSchema = z.object({
  incident_id: z.string(),
  event_id: z.string(),
  status: z.string(),
  duplicate: z.boolean(),
  communications: z.array(communicationSummarySchema),
});
export type EventResponse = z.infer<typeof eventResponseSchema>;

/** An adapter may turn one webhook into several events (one per Statuspage update); each is listed. */
export const integrationResponseSchema = eventResponseSchema.extend({
  events: z.array(
    z.object({
      event_id: z.string(),
      source_event_id: z.string(),
      type: z.string(),
      status: z.string(),
      duplicate: z.boolean(),
    }),
  ),
});
export type IntegrationResponse = z.infer<typeof integrationResponseSchema>;

/** A webhook that is understood but carries nothing to apply (an SSL-expiry alert, a component-only update). */
export const ignoredResponseSchema = z.object({ ignored: z.literal(true), reason: z.string() });

export const windowSchema = z.object({ started_at: z.string(), ended_at: z.string().nullable() });

export const seriesSchema = z.object({
  id: z.string().describe('Id of the first incident of the series.'),
  position: z.number().int().describe('1 for the first disruption, 2 for the next, …'),
  label: z.string().describe('E.g. "3rd disruption today".'),
});

export const incidentSchema = z.object({
  id: z.string(),
  ref: z.string(),
  source: z.string(),
  kind: z.string(),
  title: z.string(),
  severity: z.string(),
  status: z.string(),
  components: z.array(z.string()),
  regions: z.array(z.string()),
  started_at: z.string(),
  resolved_at: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
  series_key: z.string().nullable(),
  series: seriesSchema.nullable(),
  windows: z.array(windowSchema).describe('Periods the incident was open; a reopened incident has several.'),
  duration_seconds: z.number().int().describe('Sum of the windows; an open window counts up to now.'),
});

export const timelineEntrySchema = z.object({
  id: z.string(),
  event_id: z.string(),
  type: z.string(),
  occurred_at: z.string(),
  message: z.string().nullable(),
  received_at: z.string(),
});

export const incidentDetailSchema = incidentSchema.extend({
  timeline: z.array(timelineEntrySchema),
  communications: z.array(
    communicationSummarySchema.extend({ created_at: z.string(), counts: z.record(z.string(), z.number()) }),
  ),
});
