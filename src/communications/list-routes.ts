import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { communications } from '../db/schema.js';
import { badRequest } from '../http/errors.js';
import { listQuerySchema, pageOf } from '../http/pagination.js';
import { errorResponses } from '../http/schemas.js';
import { listCommunications, listSenders } from './list-queries.js';
import { senderSchema } from './schemas.js';

const statuses = communications.status.enumValues;

const listItemSchema = z.object({
  id: z.string(),
  incident_id: z.string(),
  incident_title: z.string(),
  segment: z.string(),
  kind: z.string(),
  status: z.string(),
  from: z.string(),
  sender: senderSchema.nullable(),
  subject: z.string(),
  version: z.number().int(),
  recipients: z.number().int(),
  send_at: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
  counts: z.record(z.string(), z.number()),
});

const listQuery = listQuerySchema.extend({
  status: z
    .string()
    .max(200)
    .optional()
    .describe(`One status or several separated by commas: ${statuses.join(', ')}.`),
  kind: z.enum(communications.kind.enumValues).optional(),
  incident_id: z.string().max(100).optional(),
  sender: z
    .string()
    .max(100)
    .optional()
    .describe("User id of the executive sender, or `me` for the signed-in user (an executive's approvals)."),
});

function parseStatuses(value: string | undefined) {
  if (value === undefined) return undefined;
  const list = value.split(',').map((s) => s.trim());
  const unknown = list.filter((s) => !(statuses as readonly string[]).includes(s));
  if (unknown.length > 0) {
    throw badRequest('Unknown status.', [
      { path: 'query.status', message: `unknown ${unknown.join(', ')}; expected ${statuses.join(', ')}` },
    ]);
  }
  return list as (typeof statuses)[number][];
}

/** Lists behind the staff UI's work queues: communications by status or sender, and who may send apologies. */
export default async function communicationListRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const read = app.authorize({ scope: 'read' });

  app.get(
    '/v1/communications',
    {
      preHandler: read,
      schema: {
        tags: ['communications'],
        summary: 'List communications, newest first (e.g. `?status=pending_approval&sender=me`)',
        querystring: listQuery,
        response: { 200: pageOf(listItemSchema), ...errorResponses },
      },
    },
    async (request) => {
      const { sender, status, ...rest } = request.query;
      const principal = request.principal!;
      if (sender === 'me' && principal.type !== 'user') {
        throw badRequest('sender=me needs a staff session.', [
          { path: 'query.sender', message: 'an API key is nobody; pass a user id' },
        ]);
      }
      return listCommunications(app.deps.database.db, {
        ...rest,
        status: parseStatuses(status),
        sender: sender === 'me' ? principal.id : sender,
      });
    },
  );

  app.get(
    '/v1/senders',
    {
      preHandler: read,
      schema: {
        tags: ['communications'],
        summary: 'Executives an apology can go out as (active, with a sender identity)',
        response: { 200: pageOf(senderSchema), ...errorResponses },
      },
    },
    // A handful of people; the list shape is kept for the contract, never paged.
    async () => ({ data: await listSenders(app.deps.database.db), next_cursor: null }),
  );
}
