import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { listQuerySchema, pageOf } from '../http/pagination.js';
import { errorResponses } from '../http/schemas.js';
import { idempotencyHeadersSchema, idempotencyOf, sendIngestResult } from './http-idempotency.js';
import { ingestEvent } from './ingest.js';
import { getIncident, listIncidents } from './queries.js';
import { eventBodySchema, eventResponseSchema, incidentDetailSchema, incidentSchema } from './schemas.js';

export default async function incidentRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();

  app.post(
    '/v1/events',
    {
      preHandler: app.authorize({ scope: 'events:write' }),
      schema: {
        tags: ['incidents'],
        summary: 'Post an incident lifecycle event',
        description:
          'Stores the event (idempotent on its id per API key), moves the incident and schedules notices for the affected customers. ' +
          'With an `Idempotency-Key` header, a retry with the same body gets the stored answer (header `idempotent-replayed: true`) and the same key with another body is 409 `idempotency_key_reused`.',
        headers: idempotencyHeadersSchema,
        body: eventBodySchema,
        response: { 200: eventResponseSchema, 202: eventResponseSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const result = await ingestEvent(app.deps, request.principal!, request.body, {
        idempotency: idempotencyOf(request),
      });
      return sendIngestResult(reply, result);
    },
  );

  app.get(
    '/v1/incidents',
    {
      preHandler: app.authorize({ scope: 'read' }),
      schema: {
        tags: ['incidents'],
        summary: 'List incidents, newest first',
        querystring: listQuerySchema.extend({ status: z.string().optional() }),
        response: { 200: pageOf(incidentSchema), ...errorResponses },
      },
    },
    async (request) => listIncidents(app.deps.database.db, request.query),
  );

  app.get(
    '/v1/incidents/:id',
    {
      preHandler: app.authorize({ scope: 'read' }),
      schema: {
        tags: ['incidents'],
        summary: 'An incident with its windows, series, timeline and communications',
        params: z.object({ id: z.string() }),
        response: { 200: incidentDetailSchema, ...errorResponses },
      },
    },
    async (request) => getIncident(app.deps.database.db, request.params.id),
  );
}
