import type { ErrorResponse } from 'resend';
import {
  PermanentTransportError,
  QuotaExceededError,
  RateLimitedError,
  TransientTransportError,
} from './transport.js';

/** `retry-after` is delta-seconds or an HTTP date; Resend also sends `ratelimit-reset` (seconds). */
export function retryAfterMs(headers: Record<string, string> | null, now = Date.now()): number {
  const fallback = 1_000;
  const value = headers?.['retry-after'] ?? headers?.['ratelimit-reset'];
  if (value === undefined) return fallback;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds * 1000));
  const date = Date.parse(value);
  return Number.isNaN(date) ? fallback : Math.max(0, date - now);
}

/**
 * Maps a failed Resend answer to the error the send worker acts on. The SDK never throws: it returns
 * `{ error: { statusCode, name, message }, headers }`, with `statusCode: null` when no HTTP answer
 * came back (network error, timeout, dropped connection).
 *
 * | answer | error |
 * | --- | --- |
 * | no answer (`statusCode: null`), 408, 5xx | `TransientTransportError` (retry with the same key) |
 * | 429 `daily_quota_exceeded` / `monthly_quota_exceeded` | `QuotaExceededError` |
 * | other 429 (`rate_limit_exceeded`) | `RateLimitedError` with `retry-after` in ms |
 * | 409 `concurrent_idempotent_requests` | `TransientTransportError` (the first attempt is still running) |
 * | 409 `invalid_idempotent_request` (same key, different body) | `PermanentTransportError` |
 * | 400, 401, 403, 404, 422 and anything else | `PermanentTransportError` |
 */
export function mapResendError(error: ErrorResponse, headers: Record<string, string> | null): Error {
  const status = error.statusCode;
  const detail = `resend: ${status ?? 'no answer'} ${error.name}: ${error.message}`;
  if (status === null || status === 408 || status >= 500) return new TransientTransportError(detail);
  if (status === 429) {
    if (error.name === 'daily_quota_exceeded' || error.name === 'monthly_quota_exceeded') {
      return new QuotaExceededError(detail);
    }
    return new RateLimitedError(retryAfterMs(headers), detail);
  }
  if (status === 409 && error.name === 'concurrent_idempotent_requests')
    return new TransientTransportError(detail);
  return new PermanentTransportError(detail);
}

/**
 * Runs one SDK call. The SDK answers failures as values (see {@link mapResendError}) but rethrows an
 * abort that happens while it reads the body: that is a request without an answer, worth retrying.
 */
export async function resendRequest<T>(what: string, call: () => PromiseLike<T>): Promise<T> {
  try {
    return await call();
  } catch (cause) {
    throw new TransientTransportError(`resend: ${what} failed`, { cause });
  }
}
