import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorOf } from '../auth/principal.js';
import { openCommunicationsOfSegment } from '../communications/queries.js';
import { badRequest } from '../http/errors.js';
import { listQuerySchema, pageOf } from '../http/pagination.js';
import { errorResponses } from '../http/schemas.js';
import { affectedByIncident, countRule } from './rule-count.js';
import { incidentScope, segmentCounts } from './segment-audience.js';
import {
  deleteSegment,
  listSegments,
  putSegment,
  segmentBodySchema,
  segmentKeySchema,
  segmentViewSchema,
  toSegmentView,
} from './segment-store.js';
import { deleteSuppression, listSuppressions, suppressionSchema } from './suppressions.js';

const segmentPutResponse = z.object({ segment: segmentViewSchema, created: z.boolean() });
const countSchema = z.object({
  customers: z.number().int(),
  recipients: z.number().int(),
  suppressed: z.number().int(),
});
const audienceSchema = z.object({
  segments: z.array(
    z.object({
      segment: z.string(),
      name: z.string(),
      customers: z.number().int(),
      recipients: z.number().int(),
      suppressed: z.number().int(),
      notify: z.boolean(),
    }),
  ),
});

/** Segments, an incident's audience and the suppression list; registered from the audience routes. */
export default async function segmentRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();

  app.get(
    '/v1/segments',
    {
      preHandler: app.authorize({ scope: 'read' }),
      schema: {
        tags: ['audience'],
        summary: 'Segments in the order contacts are matched against them',
        response: { 200: pageOf(segmentViewSchema), ...errorResponses },
      },
    },
    // A handful of rows; the list shape is kept for the contract, never paged.
    async () => ({ data: (await listSegments(app.deps.database.db)).map(toSegmentView), next_cursor: null }),
  );

  app.put(
    '/v1/segments/:key',
    {
      preHandler: app.authorize({ scope: 'audience:write' }),
      schema: {
        tags: ['audience'],
        summary: 'Create or replace a segment',
        description: [
          'A rule is JSON: `{ "all": [rule, ...] }`, `{ "any": [rule, ...] }`, `{ "not": rule }`, `{ "affected": true|false }`,',
          '`{ "field": F, "in": [...] }`, `{ "field": F, "eq": value }`, `{ "field": F, "exists": true|false }` with F one of',
          "`tier`, `locale` (the contact's, else the customer's), `regions`, `components` (`in` = shares a value, `eq` = contains it), `attributes.<key>`.",
          'A contact belongs to the first segment, by ascending `priority`, whose rule it matches. 201 when created, 200 when updated.',
        ].join(' '),
        params: z.object({ key: segmentKeySchema }),
        body: segmentBodySchema,
        response: { 200: segmentPutResponse, 201: segmentPutResponse, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { segment, created } = await putSegment(
        app.deps.database.db,
        request.params.key,
        request.body,
        actorOf(request.principal),
      );
      return reply.status(created ? 201 : 200).send({ segment: toSegmentView(segment), created });
    },
  );

  app.delete(
    '/v1/segments/:key',
    {
      preHandler: app.authorize({ scope: 'audience:write' }),
      schema: {
        tags: ['audience'],
        summary: 'Delete a segment',
        description:
          '204 when deleted. 409 `default_segment` for a default segment (restored at every start), 409 `segment_in_use` while communications in progress are addressed to it (listed in `details`).',
        params: z.object({ key: segmentKeySchema }),
        response: { 204: z.null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      await deleteSegment(
        app.deps.database.db,
        request.params.key,
        actorOf(request.principal),
        openCommunicationsOfSegment,
      );
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/v1/segments/count',
    {
      preHandler: app.authorize({ scope: 'read' }),
      schema: {
        tags: ['audience'],
        summary: "Count the contacts a rule matches (the segment editor's live count); stores nothing",
        description:
          'Counts the rule on its own: a saved segment may get fewer, since a contact belongs to the first segment it matches. A rule using `affected` needs `incident_id`.',
        body: z.object({ rule: z.unknown(), incident_id: z.string().min(1).max(100).optional() }),
        response: { 200: countSchema, ...errorResponses },
      },
    },
    async (request) => {
      const db = app.deps.database.db;
      const { rule, incident_id: incidentId } = request.body;
      const scope = incidentId === undefined ? undefined : await incidentScope(db, incidentId);
      return countRule(db, rule, scope);
    },
  );

  app.get(
    '/v1/audience/affected',
    {
      preHandler: app.authorize({ scope: 'read' }),
      schema: {
        tags: ['audience'],
        summary: 'Affected customers and recipients of up to 100 incidents (`?incident_ids=a,b`)',
        querystring: z.object({ incident_ids: z.string().min(1).max(10_000) }),
        response: {
          200: z.object({ data: z.array(countSchema.extend({ incident_id: z.string() })) }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const ids = [...new Set(request.query.incident_ids.split(',').filter(Boolean))];
      if (ids.length > 100)
        throw badRequest('Too many incidents.', [{ path: 'query.incident_ids', message: 'at most 100 ids' }]);
      return { data: await affectedByIncident(app.deps.database.db, ids) };
    },
  );

  app.get(
    '/v1/incidents/:id/audience',
    {
      preHandler: app.authorize({ scope: 'read' }),
      schema: {
        tags: ['audience'],
        summary: 'Recipients per segment for an incident',
        description:
          '`customers`: customers with a listed contact in the segment; `recipients`: contacts that would be mailed; `suppressed`: contacts in the segment left out (unsubscribed or on the suppression list); `notify`: whether the segment is mailed automatically.',
        params: z.object({ id: z.string().min(1).max(100) }),
        response: { 200: audienceSchema, ...errorResponses },
      },
    },
    async (request) => {
      const db = app.deps.database.db;
      return { segments: await segmentCounts(db, await incidentScope(db, request.params.id)) };
    },
  );

  app.get(
    '/v1/suppressions',
    {
      preHandler: app.authorize({ scope: 'read' }),
      schema: {
        tags: ['audience'],
        summary: 'Suppressed addresses (bounces, complaints, manual)',
        querystring: listQuerySchema.extend({ reason: z.string().max(50).optional() }),
        response: { 200: pageOf(suppressionSchema), ...errorResponses },
      },
    },
    async (request) => listSuppressions(app.deps.database.db, request.query),
  );

  app.delete(
    '/v1/suppressions/:email',
    {
      preHandler: app.authorize({ scope: 'audience:write' }),
      schema: {
        tags: ['audience'],
        summary: 'Lift a suppression so the address can be mailed again',
        params: z.object({ email: z.string().min(3).max(254) }),
        response: { 204: z.null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      await deleteSuppression(app.deps.database.db, request.params.email, actorOf(request.principal));
      return reply.status(204).send(null);
    },
  );
}
