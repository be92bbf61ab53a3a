import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { inboxStatuses, replyStatuses } from '../db/schema.js';
import { forbidden, HttpError, unavailable } from '../http/errors.js';
import { listQuerySchema, pageOf } from '../http/pagination.js';
import { errorResponses } from '../http/schemas.js';
import { analyzeReply } from './analyze.js';
import { type InboundLimits, inboundLimitsOf } from './limits.js';
import { getReply, listReplies, replySchema, setReplyStatus } from './queries.js';
import { enqueueReply, storeRawReply } from './store.js';

const bool = z.enum(['true', 'false']).transform((v) => v === 'true');

export const replyListQuery = listQuerySchema.extend({
  incident_id: z.string().max(100).optional(),
  communication_id: z.string().max(100).optional(),
  category: z.enum(['thanks', 'question', 'complaint', 'unsubscribe_request', 'other']).optional(),
  status: z.enum(replyStatuses).optional(),
  auto: bool.optional(),
  matched: bool.optional(),
});

/** Options of the replies plugin. */
export interface ReplyRoutesOptions {
  /** Parsing limits for `POST /v1/inbound/mime` (default: the configured `CANDOR_INBOUND_MAX_*`). */
  limits?: InboundLimits;
}

/**
 * `POST /v1/inbound/mime`, `GET /v1/replies`, `GET /v1/replies/:id`, `PATCH /v1/replies/:id`.
 *
 * The MIME route stores the raw message first (503 if it cannot), then parses and matches it inline
 * — parsing is bounded by `limits`, so the answer's `matched` is the real one — and queues the rest
 * (forwarding) on `inbound`; if Redis is down the answer is still 202 and the sweeper catches up.
 * Over the size limit is 413 before anything is stored; over a structure limit (parts, depth, parse
 * time) is 422 with the message kept, closed, for inspection.
 *
 * Working the inbox (PATCH) is for staff — admin, comms or executive sessions — or API keys with
 * `audience:write` (the scope of systems that keep customer-facing state), never a read-only key.
 */
export default async function replyRoutes(fastify: FastifyInstance, options: ReplyRoutesOptions = {}) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const limits = options.limits ?? inboundLimitsOf(app.deps.config);

  app.addContentTypeParser(
    'message/rfc822',
    { parseAs: 'buffer', bodyLimit: limits.maxBytes },
    (_request, body, done) => done(null, body),
  );

  app.post(
    '/v1/inbound/mime',
    {
      bodyLimit: limits.maxBytes,
      preHandler: app.authorize({ scope: 'inbound:write' }),
      schema: {
        tags: ['replies'],
        summary: 'Accept one raw RFC 822 reply (content-type message/rfc822)',
        response: { 202: z.object({ reply_id: z.string(), matched: z.boolean() }), ...errorResponses },
      },
    },
    async (request, reply) => {
      const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      if (type !== 'message/rfc822' || !Buffer.isBuffer(request.body)) {
        throw new HttpError(
          415,
          'unsupported_media_type',
          'Send one raw message as content-type message/rfc822.',
        );
      }
      const { deps } = app;
      let stored: { id: string; duplicate: boolean };
      try {
        stored = await storeRawReply(deps.database.db, { raw: request.body, source: 'mime' });
      } catch (error) {
        request.log.error({ err: error }, 'inbound message could not be stored');
        throw unavailable();
      }
      // Analysis failing for another reason (database hiccup) is not the sender's problem: the message
      // is stored and the job or the sweeper analyzes it again.
      const outcome = await analyzeReply(deps, stored.id, limits).catch((error: unknown) => {
        request.log.warn({ err: error, replyId: stored.id }, 'inline analysis failed; left to the worker');
        return null;
      });
      if (outcome?.error) {
        throw new HttpError(outcome.error.status, outcome.error.code, outcome.error.message, [
          { reply_id: stored.id },
        ]);
      }
      await enqueueReply(deps, stored.id);
      return reply.status(202).send({ reply_id: stored.id, matched: outcome?.matched ?? false });
    },
  );

  app.get(
    '/v1/replies',
    {
      preHandler: app.authorize({ scope: 'read' }),
      schema: {
        tags: ['replies'],
        summary: 'Replies, newest first; matched=false is the unmatched view',
        querystring: replyListQuery,
        response: { 200: pageOf(replySchema), ...errorResponses },
      },
    },
    async (request) => listReplies(app.deps.database.db, request.query),
  );

  app.get(
    '/v1/replies/:id',
    {
      preHandler: app.authorize({ scope: 'read' }),
      schema: {
        tags: ['replies'],
        summary: 'One reply',
        params: z.object({ id: z.string().max(100) }),
        response: { 200: replySchema, ...errorResponses },
      },
    },
    async (request) => getReply(app.deps.database.db, request.params.id),
  );

  app.patch(
    '/v1/replies/:id',
    {
      preHandler: app.authorize({ scope: 'read' }),
      schema: {
        tags: ['replies'],
        summary: 'Move a reply through the inbox: new, acknowledged, answered, closed',
        params: z.object({ id: z.string().max(100) }),
        body: z.object({ status: z.enum(inboxStatuses) }),
        response: { 200: replySchema, ...errorResponses },
      },
    },
    async (request) => {
      const principal = request.principal!;
      if (
        principal.type === 'api_key' &&
        !principal.scopes.some((s) => s === 'audience:write' || s === 'admin')
      ) {
        throw forbidden('Changing a reply needs the "audience:write" scope or a staff session.');
      }
      return setReplyStatus(app.deps.database.db, request.params.id, request.body.status, principal);
    },
  );
}
