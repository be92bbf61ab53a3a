import type { preHandlerAsyncHookHandler } from 'fastify';

export const scopes = ['events:write', 'audience:write', 'read', 'inbound:write', 'admin'] as const;
export type Scope = (typeof scopes)[number];

export const roles = ['admin', 'comms', 'executive'] as const;
export type Role = (typeof roles)[number];

/** What a staff role may do when it calls the API with a session instead of a key. */
export const roleScopes: Record<Role, Scope[]> = {
  admin: ['events:write', 'audience:write', 'read', 'inbound:write', 'admin'],
  comms: ['events:write', 'audience:write', 'read'],
  executive: ['read'],
};

/**
 * Who is calling. `source` namespaces what the caller sends (event ids are unique per source), so two
 * services using the same event id never collide.
 */
export type Principal =
  | { type: 'api_key'; id: string; name: string; scopes: Scope[]; source: string }
  | { type: 'user'; id: string; email: string; role: Role; scopes: Scope[]; source: string };

export interface AuthorizeOptions {
  /** Required scope; an `admin` key or role satisfies every scope. */
  scope?: Scope;
  /** Only these staff roles (API keys are refused when set without `scope`). */
  roles?: Role[];
}

export function actorOf(principal: Principal | null): string {
  if (!principal) return 'system';
  return principal.type === 'api_key' ? `api_key:${principal.id}` : `user:${principal.id}`;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the auth plugin's `authorize` pre-handler; null on public routes. */
    principal: Principal | null;
  }
  interface FastifyInstance {
    /** A pre-handler that answers 401 without credentials and 403 without the scope or role. */
    authorize(options: AuthorizeOptions): preHandlerAsyncHookHandler;
  }
}
