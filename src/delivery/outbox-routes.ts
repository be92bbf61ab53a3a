import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { HttpError } from '../http/errors.js';
import { listQuerySchema, pageOf } from '../http/pagination.js';
import { errorResponses } from '../http/schemas.js';
import { getOutboxMessage, listOutbox, outboxItemSchema, outboxMessageSchema } from './outbox-queries.js';

/**
 * The local mail catcher: what the `outbox` transport kept instead of sending. With another transport
 * active there is nothing to show, and saying so beats an empty list that looks like nothing was sent.
 */
export default async function outboxRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const read = app.authorize({ scope: 'read' });
  const outboxActive = async () => {
    if (app.deps.transport.name !== 'outbox') {
      throw new HttpError(
        404,
        'outbox_inactive',
        `The outbox is not in use: mail goes out through the ${app.deps.transport.name} transport (CANDOR_TRANSPORT).`,
      );
    }
  };

  app.get(
    '/v1/outbox',
    {
      preHandler: [read, outboxActive],
      schema: {
        tags: ['delivery'],
        summary:
          'Messages the outbox transport captured, newest first (404 when another transport is active)',
        querystring: listQuerySchema.extend({
          to: z.string().max(320).optional().describe('Part of the recipient address.'),
          communication_id: z.string().max(100).optional(),
        }),
        response: { 200: pageOf(outboxItemSchema), ...errorResponses },
      },
    },
    async (request) => listOutbox(app.deps.database.db, request.query),
  );

  app.get(
    '/v1/outbox/:id',
    {
      preHandler: [read, outboxActive],
      schema: {
        tags: ['delivery'],
        summary: 'One captured message: headers, HTML, text and the exact MIME source',
        params: z.object({ id: z.string().max(100) }),
        response: { 200: outboxMessageSchema, ...errorResponses },
      },
    },
    async (request) => getOutboxMessage(app.deps.database.db, request.params.id),
  );
}
