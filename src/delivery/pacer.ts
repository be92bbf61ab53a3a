import type { Redis } from 'ioredis';
import type { Transport } from './transports/transport.js';

/** Requests are spaced 5% further apart than the rate allows, for jitter on the way to the provider. */
const SLACK = 1.05;
/** A sliding second with the same slack. */
const WINDOW_MS = 1000 * SLACK;

/**
 * Takes the next free slot and returns when it starts: slots are `intervalMs` apart, shared by every
 * worker process through one Redis key, so requests leave evenly spaced instead of in bursts.
 */
const TAKE_SLOT = `
local now = tonumber(ARGV[1])
local interval = tonumber(ARGV[2])
local nextFree = tonumber(redis.call('GET', KEYS[1]) or '0')
local slot = math.max(now, nextFree)
redis.call('SET', KEYS[1], slot + interval, 'PX', math.ceil(interval * 10) + 1000)
return slot
`;

/**
 * A process's first request leaves late: Node loads its fetch implementation and opens the first
 * connection (against the real Resend, a TLS handshake too). On a slow machine it reached the fake
 * provider 30–100 ms after the pacer let it go, the rest 3–6 ms. Recorded at release, it looked earlier
 * than it was, and the request `rps` places later arrived within the same provider second: a 429 at the
 * start of most capped benchmark runs there, and a second's pause. So it is recorded this much later
 * until it is answered, and then at its answer, the latest it can have reached the provider. That holds
 * back only the one request `rps` places later, once per process, by about the first one's round trip.
 */
const FIRST_DEPARTURE_ALLOWANCE_MS = 250;

/** Moves a departure recorded at `ARGV[1]` to `ARGV[2]`, if the list still holds it. */
const RESTAMP = `
local at = redis.call('LPOS', KEYS[1], ARGV[1])
if at then redis.call('LSET', KEYS[1], at, ARGV[2]) end
return 0
`;

/**
 * Called once the request a slot was taken for has been answered, or has failed. Calling it again does
 * nothing more (the record it would move has moved).
 */
export type Answered = () => Promise<void>;
const nothingToDo: Answered = async () => {};

/**
 * Lets a request leave if fewer than `limit` requests left within the last `window` ms, and records it
 * as leaving at `recorded` (`now`, or later for a request that will leave late); otherwise returns how
 * many ms it must still wait. The departures, in the order they were recorded, newest first, are a list
 * trimmed to `limit`, so the one that decides is always its last element.
 */
const DEPART = `
local now = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local window = tonumber(ARGV[3])
if redis.call('LLEN', KEYS[1]) >= limit then
  local oldest = tonumber(redis.call('LINDEX', KEYS[1], -1))
  if now < oldest + window then
    return math.ceil(oldest + window - now)
  end
end
redis.call('LPUSH', KEYS[1], ARGV[4])
redis.call('LTRIM', KEYS[1], 0, limit - 1)
redis.call('PEXPIRE', KEYS[1], math.ceil(window * 2))
return 0
`;

/**
 * Spaces provider requests `1000 / rps` ms apart across all workers. BullMQ's limiter gates when jobs
 * start, but a job reaches the provider after a variable amount of database and render work, so two
 * jobs started 200 ms apart can still call 50 ms apart; a provider with a sliding one-second window then
 * answers 429. Pacing at the moment of the call keeps every one-second window within the limit.
 */
export class RequestPacer {
  private readonly intervalMs: number;
  /** At most this many requests leave within `WINDOW_MS`. */
  private readonly perWindow: number;
  /** Whether this process has let a request go yet (see `FIRST_DEPARTURE_ALLOWANCE_MS`). */
  private departedBefore = false;

  constructor(
    private readonly redis: Redis,
    private readonly key: string,
    rps: number,
  ) {
    // 5% of slack per request absorbs jitter between leaving here and arriving at the provider (10 ms at
    // 5 req/s). A fixed 10 ms, as it was, capped 1,000 req/s at 91 and 100 req/s at 50.
    this.intervalMs = (1000 * SLACK) / rps;
    this.perWindow = Math.max(1, Math.floor(rps));
  }

  /** Waits for the request's slot; call what it resolves with once the request is answered. */
  async wait(): Promise<Answered> {
    const slot = Number(await this.redis.eval(TAKE_SLOT, 1, this.key, Date.now(), this.intervalMs));
    // Slots are reserved ahead, so a request that leaves late (its timer fired while the event loop was
    // busy) leaves close behind the one before it, and a sliding second could then hold one request too
    // many (one 429 in a capped benchmark run). So a request also waits while the last `rps` departures
    // all fall within the window: the same 5% of slack, now measured at departure. Only the request
    // `rps` places after a late one can be held back, by as much as it was late.
    for (let delay = slot - Date.now(); ; ) {
      if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
      const now = Date.now();
      const recorded = this.departedBefore ? now : now + FIRST_DEPARTURE_ALLOWANCE_MS;
      delay = Number(
        await this.redis.eval(DEPART, 1, `${this.key}:departed`, now, this.perWindow, WINDOW_MS, recorded),
      );
      if (delay <= 0) {
        if (this.departedBefore) return nothingToDo;
        this.departedBefore = true;
        return () => this.restamp(recorded);
      }
    }
  }

  /** The first request's record moves to its answer; if that fails, the later record stands. */
  private async restamp(recorded: number): Promise<void> {
    const answeredAt = Date.now();
    if (answeredAt >= recorded) return;
    await this.redis.eval(RESTAMP, 1, `${this.key}:departed`, recorded, answeredAt).catch(() => {});
  }
}

/** The same transport, each batch waiting for its slot first. */
export function pacedTransport(transport: Transport, pacer: RequestPacer): Transport {
  return {
    name: transport.name,
    sendBatch: async (emails, options) => {
      // Prepared requests go one after another: the last has been answered when the next is paced,
      // and when `prepareBatch` settles.
      let lastPrepared: Answered = nothingToDo;
      const pace = async () => {
        await lastPrepared();
        lastPrepared = await pacer.wait();
      };
      await transport.prepareBatch?.(emails, { pace }).finally(() => lastPrepared());
      const answered = await pacer.wait();
      try {
        return await transport.sendBatch(emails, options);
      } finally {
        await answered();
      }
    },
    close: () => transport.close(),
  };
}
