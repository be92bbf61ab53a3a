import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { unauthorized } from '../http/errors.js';
import { listQuerySchema, pageOf } from '../http/pagination.js';
import { errorResponses } from '../http/schemas.js';
import { apiKeyJson, createApiKey, listApiKeys, revokeApiKey } from './api-keys.js';
import { SESSION_COOKIE } from './plugin.js';
import { actorOf } from './principal.js';
import {
  apiKeySchema,
  createApiKeyBodySchema,
  createdApiKeySchema,
  createUserBodySchema,
  loginBodySchema,
  sessionSchema,
  userSchema,
} from './schemas.js';
import { createUser, findUserById, listUsers, type UserRow, userJson, verifyCredentials } from './users.js';

/** Per IP and e-mail, so one attacker cannot lock out everyone behind a shared NAT, nor one account freely. */
const LOGIN_LIMIT = { max: 10, timeWindow: 15 * 60 * 1000 };

function sessionAnswer(user: Pick<UserRow, 'id' | 'email' | 'role' | 'name'>, reply: FastifyReply) {
  return {
    user: { id: user.id, email: user.email, role: user.role, name: user.name },
    csrf_token: reply.generateCsrf(),
  };
}

function loginRateKey(request: FastifyRequest): string {
  const body = request.body as { email?: unknown } | undefined;
  const email = typeof body?.email === 'string' ? body.email.trim().toLowerCase() : '';
  return `${request.ip}|${email}`;
}

export default async function authRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { db } = app.deps.database;
  const admin = app.authorize({ scope: 'admin' });

  app.post(
    '/v1/api-keys',
    {
      preHandler: admin,
      schema: {
        tags: ['auth'],
        summary: 'Create an API key (the key is shown only in this answer)',
        body: createApiKeyBodySchema,
        response: { 201: createdApiKeySchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { row, key } = await createApiKey(db, { ...request.body, actor: actorOf(request.principal) });
      return reply.status(201).send({ ...apiKeyJson(row), key });
    },
  );

  app.get(
    '/v1/api-keys',
    {
      preHandler: admin,
      schema: {
        tags: ['auth'],
        summary: 'List API keys, newest first (prefixes only, never keys)',
        querystring: listQuerySchema,
        response: { 200: pageOf(apiKeySchema), ...errorResponses },
      },
    },
    async (request) => listApiKeys(db, request.query),
  );

  app.delete(
    '/v1/api-keys/:id',
    {
      preHandler: admin,
      schema: {
        tags: ['auth'],
        summary: 'Revoke an API key; requests with it fail from now on',
        params: z.object({ id: z.string().max(100) }),
        response: { 204: z.null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      await revokeApiKey(db, request.params.id, actorOf(request.principal));
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/v1/users',
    {
      preHandler: admin,
      schema: {
        tags: ['auth'],
        summary: 'Create a staff user',
        description: 'Only executives may carry a sender identity, on an allowed sending domain.',
        body: createUserBodySchema,
        response: { 201: userSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const user = await createUser(db, request.body, {
        senderDomains: app.deps.config.senderDomains,
        actor: actorOf(request.principal),
      });
      return reply.status(201).send(userJson(user));
    },
  );

  app.get(
    '/v1/users',
    {
      preHandler: admin,
      schema: {
        tags: ['auth'],
        summary: 'List staff users, newest first',
        querystring: listQuerySchema,
        response: { 200: pageOf(userSchema), ...errorResponses },
      },
    },
    async (request) => listUsers(db, request.query),
  );

  app.post(
    '/v1/auth/login',
    {
      // preHandler, not onRequest: the key needs the parsed e-mail.
      config: { rateLimit: { ...LOGIN_LIMIT, hook: 'preHandler', keyGenerator: loginRateKey } },
      schema: {
        tags: ['auth'],
        summary: 'Log in with e-mail and password; sets the session cookie',
        security: [],
        body: loginBodySchema,
        response: { 200: sessionSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const user = await verifyCredentials(db, request.body.email, request.body.password);
      // One message for both cases, so the answer does not reveal whether the e-mail has an account.
      if (!user) throw unauthorized('Wrong e-mail or password.');
      // A fresh session id on login defeats session fixation.
      await request.session.regenerate();
      request.session.userId = user.id;
      return sessionAnswer(user, reply);
    },
  );

  app.get(
    '/v1/auth/session',
    {
      schema: {
        tags: ['auth'],
        summary: 'The signed-in user and a fresh CSRF token',
        security: [{ session: [] }],
        response: { 200: sessionSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const userId = request.session?.userId;
      const user = userId ? await findUserById(db, userId) : null;
      if (!user || user.disabledAt) throw unauthorized('Not logged in.');
      return sessionAnswer(user, reply);
    },
  );

  app.post(
    '/v1/auth/logout',
    {
      schema: {
        tags: ['auth'],
        summary: 'End the session',
        description:
          'Needs no CSRF token: the cookie is SameSite=Lax, and a forged logout can only sign someone out.',
        security: [{ session: [] }],
        response: { 204: z.null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      if (request.session?.sessionId) await request.session.destroy();
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.status(204).send(null);
    },
  );
}
