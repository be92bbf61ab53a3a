import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorOf } from '../auth/principal.js';
import { forbidden } from '../http/errors.js';
import { errorResponses } from '../http/schemas.js';
import { submitForApproval } from './approval-requests.js';
import { decide } from './approvals.js';
import { getCommunication } from './queries.js';
import { communicationSchema } from './routes.js';
import { cancelCommunication, sendCommunication } from './send-control.js';

const params = z.object({ id: z.string() });

/** Submit, approve, reject, send and cancel. Each is one audited state change. */
export default async function actionRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { db } = app.deps.database;
  const write = app.authorize({ scope: 'events:write' });
  // Executives hold only `read`; who may decide is checked against the communication's named sender.
  const decider = app.authorize({ scope: 'read' });

  app.post(
    '/v1/communications/:id/submit',
    {
      preHandler: write,
      schema: {
        tags: ['communications'],
        summary:
          "Ask the apology's executive to approve the current version (e-mails a single-use 24 h link)",
        params,
        response: {
          200: z.object({
            status: z.literal('pending_approval'),
            version: z.number(),
            expires_at: z.string(),
            approval_email: z.enum(['sent', 'failed']),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) =>
      submitForApproval(app.deps, request.params.id, request.principal!, actorOf(request.principal)),
  );

  app.post(
    '/v1/communications/:id/approve',
    {
      preHandler: decider,
      schema: {
        tags: ['communications'],
        summary: 'Approve a version (only the named executive sender); binds its content hash',
        params,
        body: z.object({ version: z.number().int().min(1) }),
        response: { 200: communicationSchema, ...errorResponses },
      },
    },
    async (request) => {
      const principal = request.principal!;
      if (principal.type !== 'user')
        throw forbidden('Only the executive this apology goes out as may approve it.');
      await decide(db, {
        communicationId: request.params.id,
        version: request.body.version,
        decision: 'approved',
        approverUserId: principal.id,
        actor: actorOf(principal),
        via: 'session',
      });
      return getCommunication(db, request.params.id);
    },
  );

  app.post(
    '/v1/communications/:id/reject',
    {
      preHandler: decider,
      schema: {
        tags: ['communications'],
        summary: 'Reject the current version (only the named executive sender); back to draft',
        params,
        body: z.object({
          reason: z.string().trim().max(2000).optional(),
          version: z.number().int().min(1).optional(),
        }),
        response: { 200: communicationSchema, ...errorResponses },
      },
    },
    async (request) => {
      const principal = request.principal!;
      if (principal.type !== 'user')
        throw forbidden('Only the executive this apology goes out as may reject it.');
      const current = await getCommunication(db, request.params.id);
      await decide(db, {
        communicationId: request.params.id,
        version: request.body.version ?? current.current_version?.version ?? 0,
        decision: 'rejected',
        approverUserId: principal.id,
        reason: request.body.reason,
        actor: actorOf(principal),
        via: 'session',
      });
      return getCommunication(db, request.params.id);
    },
  );

  app.post(
    '/v1/communications/:id/send',
    {
      preHandler: write,
      schema: {
        tags: ['communications'],
        summary: 'Send now; 409 unless sendable (an apology needs its approved current version)',
        params,
        response: { 200: communicationSchema, ...errorResponses },
      },
    },
    async (request) => {
      await sendCommunication(app.deps, request.params.id, actorOf(request.principal));
      return getCommunication(db, request.params.id);
    },
  );

  app.post(
    '/v1/communications/:id/cancel',
    {
      preHandler: write,
      schema: {
        tags: ['communications'],
        summary: 'Cancel; 409 once it has started going out',
        params,
        response: { 200: communicationSchema, ...errorResponses },
      },
    },
    async (request) => {
      await cancelCommunication(app.deps, request.params.id, actorOf(request.principal));
      return getCommunication(db, request.params.id);
    },
  );
}
