import type { FastifyReply, FastifyRequest } from 'fastify';
import { IDEMPOTENCY_HEADER, type IdempotencyClaim, requestHash } from './idempotency.js';
import type { IngestResult } from './ingest.js';

export { idempotencyHeadersSchema } from './idempotency.js';

/**
 * The claim for a request's `Idempotency-Key` (already validated by the route's header schema), hashing
 * the route and the parsed body (or `payload`, when the route merges more into it); undefined without the header.
 */
export function idempotencyOf(
  request: FastifyRequest,
  payload: unknown = request.body,
): IdempotencyClaim | undefined {
  const key = request.headers[IDEMPOTENCY_HEADER];
  if (typeof key !== 'string') return undefined;
  return { key, requestHash: requestHash(`${request.method} ${request.routeOptions.url}`, payload) };
}

/** Sends an ingest answer; a stored answer is marked like Stripe's `Idempotent-Replayed`. */
export function sendIngestResult(reply: FastifyReply, result: IngestResult<unknown>) {
  if (result.replayed) reply.header('idempotent-replayed', 'true');
  return reply.status(result.statusCode).send(result.body);
}
