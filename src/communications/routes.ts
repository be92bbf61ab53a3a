import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { messageStatuses } from '../db/schema.js';
import { listQuerySchema, pageOf } from '../http/pagination.js';
import { errorResponses } from '../http/schemas.js';
import { getCommunication, listMessages } from './queries.js';
import { approvalSchema, senderSchema } from './schemas.js';

const countsSchema = z.record(z.string(), z.number());

export const communicationSchema = z.object({
  id: z.string(),
  incident_id: z.string(),
  segment: z.string(),
  kind: z.string(),
  status: z.string(),
  from: z.string(),
  sender: senderSchema.nullable(),
  approval: approvalSchema.nullable(),
  recipients: z.number(),
  send_at: z.string().nullable(),
  created_at: z.string(),
  fanout_completed_at: z.string().nullable(),
  counts: countsSchema,
  current_version: z
    .object({
      version: z.number(),
      template: z.string(),
      subject: z.string(),
      body: z.string().nullable(),
      content_hash: z.string(),
      created_at: z.string(),
    })
    .nullable(),
});

const messageSchema = z.object({
  id: z.string(),
  communication_id: z.string(),
  contact_id: z.string(),
  customer_id: z.string(),
  email: z.string(),
  status: z.string(),
  message_id: z.string(),
  provider_id: z.string().nullable(),
  attempts: z.number(),
  error: z.string().nullable(),
  sent_at: z.string().nullable(),
  delivered_at: z.string().nullable(),
  opened_at: z.string().nullable(),
  replied_at: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
});

export default async function communicationRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();

  app.get(
    '/v1/communications/:id',
    {
      preHandler: app.authorize({ scope: 'read' }),
      schema: {
        tags: ['communications'],
        summary: 'A communication: status, current version and delivery counts',
        params: z.object({ id: z.string() }),
        response: { 200: communicationSchema, ...errorResponses },
      },
    },
    async (request) => getCommunication(app.deps.database.db, request.params.id),
  );

  app.get(
    '/v1/messages',
    {
      preHandler: app.authorize({ scope: 'read' }),
      schema: {
        tags: ['communications'],
        summary: 'Per-recipient delivery state',
        querystring: listQuerySchema.extend({
          id: z.string().max(100).optional().describe('One message (e.g. the one a reply answers).'),
          communication_id: z.string().optional(),
          status: z.enum(messageStatuses).optional(),
          email: z.string().optional(),
        }),
        response: { 200: pageOf(messageSchema), ...errorResponses },
      },
    },
    async (request) => listMessages(app.deps.database.db, request.query),
  );
}
