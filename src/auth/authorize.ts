import type { FastifyInstance, FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { forbidden, HttpError, unauthorized } from '../http/errors.js';
import { principalForApiKey } from './api-keys.js';
import { type AuthorizeOptions, type Principal, roleScopes } from './principal.js';
import { findUserById } from './users.js';

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export const csrfInvalid = () =>
  new HttpError(
    403,
    'csrf_invalid',
    'Missing or invalid CSRF token; send the csrf_token from the login answer in x-csrf-token.',
  );

/** Runs @fastify/csrf-protection's check without letting it write the response (it would use its own error shape). */
export function csrfTokenValid(app: FastifyInstance, request: FastifyRequest): Promise<boolean> {
  return new Promise((resolve) => {
    const capture = { send: () => resolve(false) } as unknown as FastifyReply;
    app.csrfProtection(request, capture, () => resolve(true));
  });
}

/** The signed-in staff user behind the request's session, or null. */
export async function sessionPrincipal(
  app: FastifyInstance,
  request: FastifyRequest,
): Promise<Principal | null> {
  const userId = request.session?.userId;
  if (!userId) return null;
  const user = await findUserById(app.deps.database.db, userId);
  if (!user || user.disabledAt) return null;
  return {
    type: 'user',
    id: user.id,
    email: user.email,
    role: user.role,
    scopes: [...roleScopes[user.role]],
    source: `user:${user.id}`,
  };
}

async function resolvePrincipal(app: FastifyInstance, request: FastifyRequest): Promise<Principal> {
  const header = request.headers.authorization;
  if (header !== undefined) {
    // A request that presents a key is judged by that key alone, never by a cookie it also carries.
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) throw unauthorized('Authorization must be "Bearer <api key>".');
    const principal = await principalForApiKey(
      app.deps.database.db,
      match[1]!,
      app.deps.config.bootstrap.apiKey,
    );
    if (!principal) throw unauthorized('Unknown or revoked API key.');
    return principal;
  }
  const principal = await sessionPrincipal(app, request);
  if (!principal) throw unauthorized('Log in or send "Authorization: Bearer <api key>".');
  // Browsers attach cookies on their own, so a session request must prove it came from our UI.
  if (STATE_CHANGING.has(request.method) && !(await csrfTokenValid(app, request))) throw csrfInvalid();
  return principal;
}

function check(principal: Principal, options: AuthorizeOptions): void {
  if (options.roles) {
    if (principal.type === 'api_key') {
      if (!options.scope) {
        throw forbidden(
          `Only staff with the role ${options.roles.join(' or ')} may do this; API keys cannot.`,
        );
      }
    } else if (!options.roles.includes(principal.role)) {
      throw forbidden(`This needs the role ${options.roles.join(' or ')}; you are ${principal.role}.`);
    }
  }
  const { scope } = options;
  if (scope && !principal.scopes.includes('admin') && !principal.scopes.includes(scope)) {
    throw forbidden(`This needs the "${scope}" scope.`);
  }
}

/** Builds the pre-handler behind `app.authorize(options)`. */
export function createAuthorize(app: FastifyInstance) {
  return (options: AuthorizeOptions): preHandlerAsyncHookHandler =>
    async function authorize(request) {
      const principal = await resolvePrincipal(app, request);
      check(principal, options);
      request.principal = principal;
    };
}
