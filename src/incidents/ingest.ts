import type { Principal } from '../auth/principal.js';
import { enqueuePlannedFanouts } from '../delivery/enqueue.js';
import type { AppDeps } from '../deps.js';
import { HttpError } from '../http/errors.js';
import { type AppliedEvent, type ApplyContext, applyEvent } from './apply.js';
import { applyOpeningEvent } from './apply-opening.js';
import { claimIdempotencyKey, type IdempotencyClaim, recordIdempotentResponse } from './idempotency.js';
import type { EventBody, EventResponse, IntegrationResponse } from './schemas.js';

export interface IngestOptions {
  /**
   * Stripe-style `Idempotency-Key`: the whole request is applied at most once per (caller, key); a retry
   * with the same body gets the stored status and body, another body a 409.
   */
  idempotency?: IdempotencyClaim | undefined;
  /**
   * For sources that own their lifecycle (Statuspage lets an incident go from monitoring back to
   * identified): record an illegal status move as a text-only `incident.update` instead of refusing it,
   * so the message still joins the timeline. Moves out of postmortem are refused all the same.
   */
  illegalTransitionAsUpdate?: boolean;
}

export type IngestResult<T> =
  /** 202 when anything new was applied, 200 when every event was a replay. */
  | { statusCode: 200 | 202; body: T; replayed: false }
  /** The stored answer to an earlier request with the same Idempotency-Key (may be an error body). */
  | { statusCode: number; body: unknown; replayed: true };

/**
 * Stores one lifecycle event and its consequences in one transaction, then (outside it) enqueues the
 * fan-out. If Redis is down the event is still accepted; the sweeper enqueues the fan-out when Redis returns.
 */
export function ingestEvent(
  deps: AppDeps,
  principal: Principal,
  event: EventBody,
  options: IngestOptions = {},
): Promise<IngestResult<EventResponse>> {
  return ingest(deps, principal, [event], options, (applied) => applied[applied.length - 1]!.response);
}

/**
 * Several events of one webhook (Statuspage sends every update of an incident), applied in order in one
 * transaction. The answer is the last event's, plus one line per event.
 */
export function ingestEvents(
  deps: AppDeps,
  principal: Principal,
  events: EventBody[],
  options: IngestOptions = {},
): Promise<IngestResult<IntegrationResponse>> {
  return ingest(deps, principal, events, options, (applied) => {
    const last = applied[applied.length - 1]!.response;
    const lastNew = applied.filter((a) => !a.duplicate).pop();
    return {
      ...last,
      duplicate: lastNew === undefined,
      // Earlier notices of the same request were superseded by the later ones; only the last is current.
      communications: (lastNew ?? applied[applied.length - 1]!).response.communications,
      events: applied.map((a) => ({
        event_id: a.response.event_id,
        source_event_id: a.sourceEventId,
        type: a.type,
        status: a.response.status,
        duplicate: a.duplicate,
      })),
    };
  });
}

const errorBody = (error: HttpError) => ({
  error: { code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) },
});

async function ingest<T>(
  deps: AppDeps,
  principal: Principal,
  events: EventBody[],
  options: IngestOptions,
  compose: (applied: AppliedEvent[]) => T,
): Promise<IngestResult<T>> {
  if (events.length === 0) throw new Error('ingest needs at least one event');
  const { db } = deps.database;
  const now = new Date();
  const ctx = {
    config: deps.config,
    source: principal.source,
    now,
    illegalTransitionAsUpdate: options.illegalTransitionAsUpdate ?? false,
  };
  const claim = options.idempotency;

  // Most events that open an incident need no transaction (see applyOpeningEvent).
  const opened = !claim && events.length === 1 ? await applyOpeningEvent(db, ctx, events[0]!) : undefined;
  const outcome = opened
    ? { applied: [opened] }
    : await applyInTransaction(deps, principal, events, ctx, claim, compose);

  if ('stored' in outcome && outcome.stored) {
    return { statusCode: outcome.stored.statusCode, body: outcome.stored.body, replayed: true };
  }
  if ('refused' in outcome && outcome.refused) throw outcome.refused;
  const applied = (outcome as { applied: AppliedEvent[] }).applied;
  await enqueuePlannedFanouts(
    deps,
    applied.filter((a) => !a.duplicate).flatMap((a) => a.response.communications),
  );
  const body = 'body' in outcome ? (outcome.body as T) : compose(applied);
  return { statusCode: applied.some((a) => !a.duplicate) ? 202 : 200, body, replayed: false };
}

/** The events in one transaction, and the Idempotency-Key's claim and answer with them. */
function applyInTransaction<T>(
  deps: AppDeps,
  principal: Principal,
  events: EventBody[],
  ctx: ApplyContext,
  claim: IdempotencyClaim | undefined,
  compose: (applied: AppliedEvent[]) => T,
) {
  return deps.database.db.transaction(async (tx) => {
    if (claim) {
      const stored = await claimIdempotencyKey(tx, principal.source, claim, ctx.now);
      if (stored) return { stored };
    }
    const applyAll = async (t: typeof tx) => {
      const applied: AppliedEvent[] = [];
      for (const event of events) applied.push(await applyEvent(t, ctx, event));
      return applied;
    };
    if (!claim) return { applied: await applyAll(tx) };
    try {
      // A savepoint, so a refused request can undo its work yet keep the key and its answer.
      const applied = await tx.transaction(applyAll);
      const body = compose(applied);
      const statusCode = applied.some((a) => !a.duplicate) ? 202 : 200;
      await recordIdempotentResponse(tx, principal.source, claim.key, { statusCode, body });
      return { applied, body };
    } catch (error) {
      // Only a definite answer is kept; a 5xx releases the key (rollback) so the retry runs again.
      if (!(error instanceof HttpError) || error.statusCode >= 500) throw error;
      await recordIdempotentResponse(tx, principal.source, claim.key, {
        statusCode: error.statusCode,
        body: errorBody(error),
      });
      return { refused: error };
    }
  });
}
