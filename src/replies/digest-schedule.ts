import type { AppDeps } from '../deps.js';
import { sendReplyDigest } from './digest.js';

const HOUR_MS = 60 * 60 * 1000;

/** One replica's attempt at this hour's digest; false when another replica already took the hour. */
export async function sendHourlyDigest(deps: AppDeps, now = new Date()): Promise<boolean> {
  const hourStart = Math.floor(now.getTime() / HOUR_MS) * HOUR_MS;
  const key = `${deps.config.queuePrefix}:${deps.queues.options.namePrefix ?? ''}:reply-digest:${hourStart}`;
  const won = await deps.redis.set(key, '1', 'PX', 2 * HOUR_MS, 'NX');
  if (won !== 'OK') return false;
  await sendReplyDigest(deps, new Date(hourStart - HOUR_MS));
  return true;
}

/**
 * Sends the comms digest once per clock hour, covering the hour before. Every worker replica runs this;
 * `SET NX` on the hour's key in Redis lets exactly one of them send, and a replica that missed an hour
 * (Redis down) simply leaves that hour's replies to the inbox itself.
 */
export function startDigestSchedule(deps: AppDeps, checkEveryMs = 60_000): { stop(): void } {
  const timer = setInterval(() => {
    sendHourlyDigest(deps).catch((error: unknown) =>
      deps.logger.warn({ err: error }, 'reply digest failed; next hour tries again'),
    );
  }, checkEveryMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
