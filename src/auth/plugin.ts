import { createHmac } from 'node:crypto';
import cookie from '@fastify/cookie';
import csrfProtection from '@fastify/csrf-protection';
import rateLimit from '@fastify/rate-limit';
import session from '@fastify/session';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { AppDeps } from '../deps.js';
import { HttpError } from '../http/errors.js';
import { createAuthorize } from './authorize.js';
import { DbSessionStore } from './session-store.js';

export const SESSION_COOKIE = 'candor_session';
/** Staff sessions last a working day; the cookie is not extended per request to spare a write each time. */
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;

/**
 * `CANDOR_SESSION_SECRET` when set; otherwise a key derived from the database-held signing secret, which
 * every replica already shares, so sessions survive restarts and work behind a load balancer without
 * one more variable. Setting the variable lets operators rotate it independently.
 */
export function sessionSecret(deps: Pick<AppDeps, 'config' | 'signingSecret'>): string {
  if (deps.config.sessionSecret) return deps.config.sessionSecret;
  return createHmac('sha256', deps.signingSecret).update('candor session cookie v1').digest('base64url');
}

/**
 * Cookies, database-backed sessions, CSRF tokens, the login rate limiter, and the `request.principal` /
 * `app.authorize()` decorators every module's routes use.
 */
async function authPlugin(app: FastifyInstance) {
  const { config, database, redis } = app.deps;

  await app.register(cookie);
  await app.register(session, {
    cookieName: SESSION_COOKIE,
    secret: sessionSecret(app.deps),
    store: new DbSessionStore(database.db, SESSION_TTL_MS),
    // No row for visitors who never log in (API-key traffic, health checks).
    saveUninitialized: false,
    rolling: false,
    cookie: {
      path: '/',
      httpOnly: true,
      sameSite: 'lax',
      secure: config.publicUrl.startsWith('https:'),
      maxAge: SESSION_TTL_MS,
    },
  });
  await app.register(csrfProtection, {
    sessionPlugin: '@fastify/session',
    // Only the header: a token in a form body or another header name is not part of the contract.
    getToken: (request) => {
      const token = request.headers['x-csrf-token'];
      return typeof token === 'string' ? token : undefined;
    },
  });
  await app.register(rateLimit, {
    global: false,
    // Shared counters across API replicas; a Redis outage must not lock staff out, so it fails open.
    redis,
    skipOnError: true,
    nameSpace: `${config.queuePrefix}:rate-limit:`,
    errorResponseBuilder: (_request, context) =>
      new HttpError(429, 'rate_limited', `Too many attempts; retry in ${context.after}.`),
  });

  app.decorateRequest('principal', null);
  app.decorate('authorize', createAuthorize(app));
}

export default fp(authPlugin, {
  name: 'candor-auth',
  fastify: '5.x',
  dependencies: ['candor-error-handler'],
});
