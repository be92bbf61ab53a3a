import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorNames } from '../auth/actors.js';
import { actorOf } from '../auth/principal.js';
import { errorResponses } from '../http/schemas.js';
import { createDraft } from './drafting-service.js';
import { getCommunication } from './queries.js';
import { communicationSchema } from './routes.js';
import { createCommunicationBodySchema, editCommunicationBodySchema, versionSchema } from './schemas.js';
import {
  diffVersions,
  editCommunication,
  listVersions,
  parseDiffRange,
  versionJson,
} from './versions-service.js';

/** Drafting and editing: staff (comms, admin) and `events:write` keys write, anyone with `read` reads. */
export default async function draftRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { db } = app.deps.database;
  const write = app.authorize({ scope: 'events:write' });

  app.post(
    '/v1/incidents/:id/communications',
    {
      preHandler: write,
      schema: {
        tags: ['communications'],
        summary: 'Draft a communication (an apology without a body is drafted from the facts)',
        description:
          'An apology names its executive `sender` (user id; 422 `sender_not_executive` otherwise, 422 ' +
          '`sender_domain_not_allowed` when the address is not on CANDOR_SENDER_DOMAINS). A drafted body holds ' +
          '`{{minutes_affected}}`, filled in per customer when sent.',
        params: z.object({ id: z.string() }),
        body: createCommunicationBodySchema,
        response: { 201: communicationSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const id = await createDraft({ db, config: app.deps.config }, request.params.id, request.body, {
        actor: actorOf(request.principal),
      });
      return reply.status(201).send(await getCommunication(db, id));
    },
  );

  app.patch(
    '/v1/communications/:id',
    {
      preHandler: write,
      schema: {
        tags: ['communications'],
        summary: 'Edit subject and/or body: a new version; any approval of an earlier one no longer counts',
        params: z.object({ id: z.string() }),
        body: editCommunicationBodySchema,
        response: { 200: communicationSchema, ...errorResponses },
      },
    },
    async (request) => {
      await editCommunication(db, request.params.id, request.body, { actor: actorOf(request.principal) });
      return getCommunication(db, request.params.id);
    },
  );

  app.get(
    '/v1/communications/:id/versions',
    {
      preHandler: app.authorize({ scope: 'read' }),
      schema: {
        tags: ['communications'],
        summary: 'Every version, oldest first; `?diff=1..2` adds a unified diff of subject and body',
        params: z.object({ id: z.string() }),
        querystring: z.object({ diff: z.string().max(20).optional() }),
        response: {
          200: z.object({ data: z.array(versionSchema), diff: z.string().optional() }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const versions = await listVersions(db, request.params.id);
      const range = request.query.diff === undefined ? undefined : parseDiffRange(request.query.diff);
      const names = await actorNames(
        db,
        versions.map((v) => v.createdBy),
      );
      return {
        data: versions.map((v) => ({
          ...versionJson(v),
          created_by_name: v.createdBy ? (names.get(v.createdBy) ?? v.createdBy) : null,
        })),
        ...(range ? { diff: diffVersions(versions, ...range) } : {}),
      };
    },
  );
}
