import formbody from '@fastify/formbody';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorResponses } from '../http/schemas.js';
import { statuspageBodySchema, translateStatuspage } from './adapters/statuspage.js';
import { translateUptimeRobot, uptimeRobotBodySchema } from './adapters/uptimerobot.js';
import { idempotencyHeadersSchema, idempotencyOf, sendIngestResult } from './http-idempotency.js';
import { ingestEvents } from './ingest.js';
import { ignoredResponseSchema, integrationResponseSchema } from './schemas.js';

const accepted = z.union([integrationResponseSchema, ignoredResponseSchema]);
const responses = { 200: integrationResponseSchema, 202: accepted, ...errorResponses };

/**
 * Source adapters: each translates its webhook into the events of POST /v1/events and ingests them with
 * the same semantics (scope `events:write`, event-id dedupe, `Idempotency-Key`). Registered without
 * fastify-plugin, so the form-body parser stays inside this plugin.
 */
export default async function integrationRoutes(fastify: FastifyInstance) {
  await fastify.register(formbody);
  const app = fastify.withTypeProvider<ZodTypeProvider>();

  app.post(
    '/v1/integrations/uptimerobot',
    {
      preHandler: app.authorize({ scope: 'events:write' }),
      schema: {
        tags: ['integrations'],
        summary: 'Uptime Robot alert webhook',
        description:
          'Uptime Robot webhook alert contact, as form fields ("Send default variables as POST parameters") or a JSON POST value using the `*variable*` placeholders; ' +
          'fields may also come in the query string. alertType 1 (down) opens or updates the incident of `monitorID` (a new one per outage, linked as a series when flapping), 2 (up) resolves it; ' +
          'other alert types answer 202 `{ ignored: true }`. A required variable left as its literal `*placeholder*` (a test notification, a misspelt variable) is 422 `unfilled_placeholder`. ' +
          'Components and regions come from CANDOR_UPTIMEROBOT_MONITORS (none listed = every customer).',
        headers: idempotencyHeadersSchema,
        querystring: uptimeRobotBodySchema,
        body: uptimeRobotBodySchema.nullish(),
        response: responses,
      },
    },
    async (request, reply) => {
      const payload = uptimeRobotBodySchema.parse({ ...request.query, ...(request.body ?? {}) });
      const translated = translateUptimeRobot(payload, app.deps.config.uptimeRobotMonitors, new Date());
      if ('ignored' in translated)
        return reply.status(202).send({ ignored: true, reason: translated.ignored });
      const result = await ingestEvents(app.deps, request.principal!, [translated.event], {
        idempotency: idempotencyOf(request, payload),
      });
      return sendIngestResult(reply, result);
    },
  );

  app.post(
    '/v1/integrations/statuspage',
    {
      preHandler: app.authorize({ scope: 'events:write' }),
      schema: {
        tags: ['integrations'],
        summary: 'Statuspage or Instatus incident webhook',
        description:
          'Each `incident_updates[]` entry becomes one event whose id is the update id, so updates repeated in later webhooks are replays. ' +
          'Status maps to the event type (maintenance statuses to maintenance events), impact to severity (none → minor), component names to slugs. ' +
          'A status move Candor would refuse (e.g. monitoring back to identified) is kept as a text update. Component-only webhooks answer 202 `{ ignored: true }`.',
        headers: idempotencyHeadersSchema,
        body: statuspageBodySchema,
        response: responses,
      },
    },
    async (request, reply) => {
      const translated = translateStatuspage(request.body);
      if ('ignored' in translated)
        return reply.status(202).send({ ignored: true, reason: translated.ignored });
      const result = await ingestEvents(app.deps, request.principal!, translated.events, {
        idempotency: idempotencyOf(request),
        illegalTransitionAsUpdate: true,
      });
      return sendIngestResult(reply, result);
    },
  );
}
