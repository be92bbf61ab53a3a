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
  incident: z.object({
    ref: noLineBreaks(200),
    title: noLineBreaks(300),
    severity: z.enum(['minor', 'major', 'critical']),
    components: z.array(slug).max(100).default([]),
    regions: z.array(slug).max(100).default([]),
    started_at: z.iso.datetime({ offset: true }).optional(),
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
