import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { sessionPrincipal } from '../auth/authorize.js';
import { roles } from '../auth/principal.js';
import { findUserById } from '../auth/users.js';
import { errorResponses } from '../http/schemas.js';

const bootstrapSchema = z.object({
  session: z
    .object({
      user: z.object({ id: z.string(), email: z.string(), role: z.enum(roles), name: z.string() }),
      csrf_token: z.string(),
    })
    .nullable(),
  transport: z.string(),
  notice_hold_seconds: z.number(),
});

/**
 * What the UI needs before its first screen. Unlike `GET /v1/auth/session`, a visitor who is not signed
 * in gets 200 with `session: null`: the login page is a normal state, not an error in the console.
 */
export default async function uiRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();

  app.get(
    '/v1/ui/bootstrap',
    {
      schema: {
        tags: ['auth'],
        summary: 'The signed-in user (or null), a CSRF token and the settings the staff UI shows',
        security: [{ session: [] }],
        response: { 200: bootstrapSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      const principal = await sessionPrincipal(app, request);
      const user = principal?.type === 'user' ? await findUserById(app.deps.database.db, principal.id) : null;
      return {
        session: user
          ? {
              user: { id: user.id, email: user.email, role: user.role, name: user.name },
              csrf_token: reply.generateCsrf(),
            }
          : null,
        transport: app.deps.transport.name,
        notice_hold_seconds: app.deps.config.noticeHoldSeconds,
      };
    },
  );
}
