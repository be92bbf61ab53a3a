import { and, eq, gt, lt } from 'drizzle-orm';
import type { Session } from 'fastify';
import type { Db } from '../db/client.js';
import { sessions } from '../db/schema.js';

declare module 'fastify' {
  interface Session {
    /** Set at login; the user is re-read on every request so disabling or a role change acts at once. */
    userId?: string;
    /** Secret behind CSRF tokens (managed by @fastify/csrf-protection). */
    _csrf?: string;
  }
}

type Callback = (error?: unknown) => void;
type GetCallback = (error: unknown, session?: Session | null) => void;

/** How often one process sweeps expired rows; sessions are few, so a lazy sweep is enough. */
const PRUNE_INTERVAL_MS = 60 * 60 * 1000;

/**
 * @fastify/session store on the `sessions` table, so logins survive restarts and every API replica sees
 * the same sessions (the default memory store does neither).
 */
export class DbSessionStore {
  private lastPrune = 0;

  /**
   * @param db database handle shared with the services
   * @param defaultTtlMs lifetime used when a session's cookie carries no expiry
   */
  constructor(
    private readonly db: Db,
    private readonly defaultTtlMs: number,
  ) {}

  get(sid: string, callback: GetCallback): void {
    this.db
      .select({ data: sessions.data })
      .from(sessions)
      .where(and(eq(sessions.sid, sid), gt(sessions.expiresAt, new Date())))
      .then(([row]) => callback(null, (row?.data as Session | undefined) ?? null), callback);
  }

  set(sid: string, session: Session, callback: Callback): void {
    // The session object carries methods and symbols; only its JSON form is data.
    const data = JSON.parse(JSON.stringify(session)) as Record<string, unknown>;
    const expires = session.cookie?.expires;
    const expiresAt = expires ? new Date(expires) : new Date(Date.now() + this.defaultTtlMs);
    const userId = session.userId ?? null;
    this.db
      .insert(sessions)
      .values({ sid, userId, data, expiresAt })
      .onConflictDoUpdate({ target: sessions.sid, set: { userId, data, expiresAt } })
      .then(() => this.pruneSometimes())
      .then(() => callback(), callback);
  }

  destroy(sid: string, callback: Callback): void {
    this.db
      .delete(sessions)
      .where(eq(sessions.sid, sid))
      .then(() => callback(), callback);
  }

  private async pruneSometimes(): Promise<void> {
    const now = Date.now();
    if (now - this.lastPrune < PRUNE_INTERVAL_MS) return;
    this.lastPrune = now;
    await this.db.delete(sessions).where(lt(sessions.expiresAt, new Date(now)));
  }
}
