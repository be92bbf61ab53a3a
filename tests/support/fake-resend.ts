import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Answer, deliveryOf, type FakeDelivery, fail, validateEmail } from './fake-resend-emails.js';
import { FakeTemplates } from './fake-resend-templates.js';

export type { FakeDelivery } from './fake-resend-emails.js';

export interface FakeRequest {
  method: string;
  path: string;
  idempotencyKey: string | undefined;
  batchValidation: string | undefined;
  /** Status answered; `null` when the socket was destroyed instead (`dropNextAnswers`). */
  status: number | null;
}

export interface FakeResendOptions {
  /** Bearer token accepted (default `re_test_key`); anything else is 403 `invalid_api_key`. */
  apiKey?: string;
  /** Requests per second per the sliding one-second window (default 2, Resend's default); `Infinity` turns it off. */
  rps?: number;
  /** Clock, for idempotency-key expiry (24 h) and the rate window. */
  now?: () => number;
  /**
   * Keep every accepted e-mail in `deliveries` (default). Benchmarks turn it off: 100,000 rendered
   * e-mails would measure the fake's memory, not Candor's; counts are kept either way.
   */
  keepDeliveries?: boolean;
}

type IdempotencyRecord = { hash: string; at: number; answer: Answer | undefined };

const DAY_MS = 24 * 3600 * 1000;
/**
 * A loopback stand-in for Resend's API, good enough for the official SDK: `POST /emails/batch`
 * and `POST /emails`, with Bearer auth, validation (strict or, with
 * `x-batch-validation: permissive`, per-email `errors`), `Idempotency-Key` semantics (a replay within
 * 24 h returns the first answer without delivering again; another body under the same key is 409
 * `invalid_idempotent_request`; a second request while the first is running is 409
 * `concurrent_idempotent_requests`) and a per-second rate limit answering 429 with `retry-after`.
 *
 * Templates (`POST /templates`, `GET|DELETE /templates/:id`, `POST /templates/:id/publish`) are kept in
 * `templates`, across `reset()` as an account keeps them, and their requests in `templateRequests`;
 * they count against the rate limit, and of the faults only `rateLimitNext` and
 * `failNextTemplateRequests` reach them. An e-mail may name a published template and its variables
 * instead of `html` and `text`; `deliveries` then hold the rendered template.
 *
 * Faults: `failNext(n, status)`, `dropNextAnswers(n)` (deliver, then destroy the socket unanswered),
 * `delay(ms)`, `exceedQuota('daily' | 'monthly' | null)`. Inspection: `deliveries`,
 * `deliveryCountByRecipient()`, `requests`, `reset()`.
 */
export class FakeResend {
  readonly deliveries: FakeDelivery[] = [];
  readonly requests: FakeRequest[] = [];
  readonly templates = new FakeTemplates();
  readonly templateRequests: FakeRequest[] = [];
  private templateFailures: { status: number; name: string | undefined }[] = [];
  /** Accepted e-mails per recipient address, kept even when `keepDeliveries` is off. */
  private readonly counts = new Map<string, number>();
  /** `Date.now()` of the last accepted e-mail. */
  lastAcceptedAt = 0;
  /** `Date.now()` of the first accepted e-mail (benchmarks measure steady state between the two). */
  firstAcceptedAt = 0;
  accepted = 0;
  private readonly keepDeliveries: boolean;
  private server: Server | undefined;
  private readonly apiKey: string;
  private readonly rps: number;
  private readonly now: () => number;
  private readonly keys = new Map<string, IdempotencyRecord>();
  private window: number[] = [];
  private failures: number[] = [];
  private drops = 0;
  private delayMs = 0;
  private quota: 'daily' | 'monthly' | null = null;
  private held: { release: () => void } | undefined;
  private heldArrived: (() => void) | undefined;
  /** Called after an answer was written (fault tests kill the client right then). */
  onAnswered: ((entry: FakeRequest) => void) | undefined;

  constructor(options: FakeResendOptions = {}) {
    this.apiKey = options.apiKey ?? 're_test_key';
    this.rps = options.rps ?? 2;
    this.now = options.now ?? Date.now;
    this.keepDeliveries = options.keepDeliveries ?? true;
  }

  /** Base URL for `new Resend(key, { baseUrl })`; valid after `start()`. */
  get url(): string {
    const address = this.server?.address() as AddressInfo | null | undefined;
    if (!address) throw new Error('FakeResend is not started');
    return `http://127.0.0.1:${address.port}`;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this;
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Answer the next `n` template requests with `status` (default 500) before looking at them. */
  failNextTemplateRequests(n: number, status = 500, name?: string): void {
    for (let i = 0; i < n; i++) this.templateFailures.push({ status, name });
  }

  /** Answer the next `n` requests with `status` (default 500) before looking at them. */
  failNext(n: number, status = 500): void {
    for (let i = 0; i < n; i++) this.failures.push(status);
  }

  /**
   * Answer the next `n` requests 429 `rate_limit_exceeded` with `retry-after` (a storm, as when another
   * sender shares the account's limit), whatever the configured `rps`.
   */
  rateLimitNext(n: number, retryAfterSeconds = 1): void {
    this.rateLimitStorm += n;
    this.stormRetryAfter = retryAfterSeconds;
  }

  private rateLimitStorm = 0;
  private stormRetryAfter = 1;

  /** Handle the next `n` requests fully (deliveries recorded, key stored), then destroy the socket. */
  dropNextAnswers(n: number): void {
    this.drops += n;
  }

  /** Wait this long before handling each request (0 turns it off). */
  delay(ms: number): void {
    this.delayMs = ms;
  }

  exceedQuota(kind: 'daily' | 'monthly' | null): void {
    this.quota = kind;
  }

  deliveryCountByRecipient(): Map<string, number> {
    return new Map(this.counts);
  }

  reset(): void {
    this.deliveries.length = 0;
    this.counts.clear();
    this.accepted = 0;
    this.lastAcceptedAt = 0;
    this.firstAcceptedAt = 0;
    this.requests.length = 0;
    this.templateRequests.length = 0;
    this.templateFailures = [];
    this.keys.clear();
    this.window = [];
    this.failures = [];
    this.drops = 0;
    this.delayMs = 0;
    this.quota = null;
    this.rateLimitStorm = 0;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const header = (name: string) => {
      const value = req.headers[name];
      return Array.isArray(value) ? value[0] : value;
    };
    const entry: FakeRequest = {
      method: req.method ?? 'GET',
      path: (req.url ?? '/').split('?')[0]!,
      idempotencyKey: header('idempotency-key'),
      batchValidation: header('x-batch-validation'),
      status: null,
    };
    const template = entry.path.startsWith('/templates');
    if (template) {
      this.templateRequests.push(entry);
      const answer = this.answerTemplate(entry, header('authorization'), raw);
      entry.status = answer.status;
      res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
      res.end(JSON.stringify(answer.body));
      return;
    }
    this.requests.push(entry);
    if (this.holding) {
      // Hold the request unprocessed; if its client dies meanwhile, drop it as never received.
      await new Promise<void>((release) => {
        this.held = { release };
        this.heldArrived?.();
      });
      if (req.socket.destroyed) return;
    }
    const answer = await this.answer(entry, header('authorization'), raw);
    if (this.drops > 0) {
      this.drops--;
      req.socket.destroy();
      return;
    }
    entry.status = answer.status;
    res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
    res.end(JSON.stringify(answer.body), () => this.onAnswered?.(entry));
  }

  private holding = false;

  /**
   * Holds the next requests unprocessed until `release()`; resolves when one arrives. A request whose
   * client went away while held is discarded: the provider never accepted it ("before the call").
   */
  holdRequests(): Promise<void> {
    this.holding = true;
    return new Promise((resolve) => {
      this.heldArrived = resolve;
    });
  }

  release(): void {
    this.holding = false;
    this.held?.release();
    this.held = undefined;
  }

  private unauthorized(authorization: string | undefined): Answer | undefined {
    if (!authorization?.startsWith('Bearer '))
      return fail(401, 'missing_api_key', 'Missing API key in the authorization header.');
    if (authorization.slice(7) !== this.apiKey) return fail(403, 'invalid_api_key', 'API key is invalid.');
    return undefined;
  }

  private stormed(): Answer | undefined {
    if (this.rateLimitStorm <= 0) return undefined;
    this.rateLimitStorm--;
    const headers = { 'retry-after': `${this.stormRetryAfter}`, 'ratelimit-remaining': '0' };
    return { ...fail(429, 'rate_limit_exceeded', 'Too many requests.'), headers };
  }

  private answerTemplate(entry: FakeRequest, authorization: string | undefined, raw: string): Answer {
    const refused = this.unauthorized(authorization);
    if (refused) return refused;
    const failure = this.templateFailures.shift();
    if (failure) {
      const name = failure.name ?? (failure.status >= 500 ? 'internal_server_error' : 'application_error');
      return fail(failure.status, name, 'Injected failure.');
    }
    return this.stormed() ?? this.rateLimit() ?? this.templates.answer(entry.method, entry.path, raw);
  }

  private async answer(entry: FakeRequest, authorization: string | undefined, raw: string): Promise<Answer> {
    const refused = this.unauthorized(authorization);
    if (refused) return refused;
    const failure = this.failures.shift();
    if (failure) {
      return fail(
        failure,
        failure >= 500 ? 'internal_server_error' : 'application_error',
        'Injected failure.',
      );
    }
    if (this.quota) {
      return fail(429, `${this.quota}_quota_exceeded`, `You have reached your ${this.quota} quota.`);
    }
    const stormed = this.stormed();
    if (stormed) return stormed;
    const limited = this.rateLimit();
    if (limited) return limited;

    const batch = entry.path === '/emails/batch';
    if (entry.method !== 'POST' || (!batch && entry.path !== '/emails')) {
      return fail(405, 'method_not_allowed', 'Method not allowed.');
    }
    const key = entry.idempotencyKey;
    if (key === undefined) return this.process(raw, batch, entry);
    if (key.length === 0 || key.length > 256) {
      return fail(400, 'invalid_idempotency_key', 'The key must be between 1-256 chars.');
    }
    const hash = createHash('sha256').update(`${entry.path}\n${raw}`).digest('hex');
    const known = this.keys.get(key);
    if (known && this.now() - known.at < DAY_MS) {
      if (known.hash !== hash) {
        return fail(409, 'invalid_idempotent_request', 'Same key used with a different request payload.');
      }
      if (!known.answer) {
        return fail(409, 'concurrent_idempotent_requests', 'Same key used while the first is in progress.');
      }
      return known.answer;
    }
    const record: IdempotencyRecord = { hash, at: this.now(), answer: undefined };
    this.keys.set(key, record);
    const answer = await this.process(raw, batch, entry);
    // Only successes are remembered: a rejected request may be corrected and retried under its key.
    if (answer.status < 300) record.answer = answer;
    else this.keys.delete(key);
    return answer;
  }

  private rateLimit(): Answer | undefined {
    if (!Number.isFinite(this.rps)) return undefined;
    const now = this.now();
    this.window = this.window.filter((t) => now - t < 1000);
    if (this.window.length >= this.rps) {
      const message = `Too many requests. You can only make ${this.rps} requests per second.`;
      const headers = {
        'ratelimit-limit': `${this.rps}`,
        'ratelimit-remaining': '0',
        'ratelimit-reset': '1',
      };
      return { ...fail(429, 'rate_limit_exceeded', message), headers: { ...headers, 'retry-after': '1' } };
    }
    this.window.push(now);
    return undefined;
  }

  private async process(raw: string, batch: boolean, entry: FakeRequest): Promise<Answer> {
    // The delay sits here, after the key is taken, so a second request meets an in-flight key.
    if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    let payload: unknown;
    try {
      payload = JSON.parse(raw);
    } catch {
      return fail(400, 'validation_error', 'Invalid JSON body.');
    }
    const emails = batch ? payload : [payload];
    if (!Array.isArray(emails))
      return fail(422, 'validation_error', 'The request body must be an array of emails.');
    if (emails.length === 0 || emails.length > 100) {
      return fail(422, 'validation_error', 'The batch must contain between 1 and 100 emails.');
    }
    const permissive = batch && entry.batchValidation === 'permissive';
    const errors: { index: number; message: string }[] = [];
    for (const [index, email] of emails.entries()) {
      const problem = validateEmail(email, this.templates);
      if (problem && !permissive)
        return fail(422, 'validation_error', batch ? `emails[${index}]: ${problem}` : problem);
      if (problem) errors.push({ index, message: problem });
    }
    const failed = new Set(errors.map((e) => e.index));
    const data = emails.flatMap((email: Record<string, unknown>, index) => {
      if (failed.has(index)) return [];
      const id = randomUUID();
      const to = Array.isArray(email.to) ? (email.to as string[]) : [email.to as string];
      for (const address of to) this.counts.set(address, (this.counts.get(address) ?? 0) + 1);
      this.accepted++;
      this.lastAcceptedAt = Date.now();
      this.firstAcceptedAt ||= this.lastAcceptedAt;
      if (!this.keepDeliveries) return [{ id }];
      this.deliveries.push(deliveryOf(email, this.templates, id, entry.idempotencyKey));
      return [{ id }];
    });
    if (!batch) return { status: 200, body: data[0] };
    return { status: 200, body: permissive ? { data, errors } : { data } };
  }
}
