import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { listQuerySchema, pageOf } from '../http/pagination.js';
import { errorResponses } from '../http/schemas.js';
import { listAudit } from './queries.js';

const entrySchema = z.object({
  at: z.string(),
  actor: z.string(),
  action: z.string(),
  subject_type: z.string(),
  subject_id: z.string(),
  details: z.record(z.string(), z.unknown()),
});

export default async function auditRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  app.get(
    '/v1/audit',
    {
      preHandler: app.authorize({ scope: 'read' }),
      schema: {
        tags: ['audit'],
        summary: 'The append-only audit log, newest first',
        querystring: listQuerySchema.extend({
          subject_id: z.string().max(200).optional(),
          action: z.string().max(100).optional(),
        }),
        response: { 200: pageOf(entrySchema), ...errorResponses },
      },
    },
    async (request) => listAudit(app.deps.database.db, request.query),
  );
}
