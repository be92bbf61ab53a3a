import type { TemplatedBody } from '../../rendering/provider-template.js';

/**
 * What every transport (resend, smtp, outbox) is given and answers. The send worker freezes a batch of
 * these before its first attempt, so a retry sends byte-identical content under the same idempotency key.
 */
export interface OutgoingEmail {
  /** Candor's message row id; used for tags and to link the provider's answer back. */
  messageId: string;
  from: string;
  to: string;
  /** Per-message tracked reply address, with the sender's display name kept. */
  replyTo: string;
  subject: string;
  html: string;
  text: string;
  /**
   * `html` and `text` as a template shared by the batch and this recipient's values. A transport
   * whose provider renders templates (Resend) sends these instead; the others send `html` and `text`.
   */
  templated?: TemplatedBody;
  /** Extra headers: Message-ID, In-Reply-To, References, List-Unsubscribe, List-Unsubscribe-Post … */
  headers: Record<string, string>;
  tags: { name: string; value: string }[];
}

export type SendOutcome =
  | { messageId: string; ok: true; providerId: string }
  | { messageId: string; ok: false; permanent: true; error: string };

export interface SendBatchOptions {
  /** Stable for this batch across retries; providers that support it deduplicate on it. */
  idempotencyKey: string;
}

export interface PrepareBatchOptions {
  /** Waits for the next request slot under the provider's rate limit; called before each request. */
  pace?: () => Promise<void>;
}

/**
 * Sends up to 100 e-mails. Resolves with one outcome per e-mail (in order) when the batch was handled;
 * per-message permanent failures are outcomes, not exceptions. Batch-level trouble is thrown as one
 * of the errors below so the worker can decide between waiting, retrying and giving up.
 */
export interface Transport {
  readonly name: 'resend' | 'smtp' | 'outbox';
  sendBatch(emails: OutgoingEmail[], options: SendBatchOptions): Promise<SendOutcome[]>;
  /**
   * Makes the requests a batch needs before its own (Resend: creating its templates), each after
   * `pace()`. A paced sender runs this before it waits for the batch's slot, so that the batch's
   * request leaves in its own slot rather than right behind these. `sendBatch` does whatever was
   * not prepared, unpaced.
   */
  prepareBatch?(emails: OutgoingEmail[], options: PrepareBatchOptions): Promise<void>;
  close(): Promise<void>;
}

/** The provider asked us to slow down; nothing in the batch was sent. */
export class RateLimitedError extends Error {
  constructor(
    readonly retryAfterMs: number,
    message = 'provider rate limit',
  ) {
    super(message);
    this.name = 'RateLimitedError';
  }
}

/** A daily/monthly quota is exhausted: pause sending and alert, do not fail messages. */
export class QuotaExceededError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'QuotaExceededError';
  }
}

/** Worth retrying with backoff (5xx, network, timeouts, concurrent idempotent request). */
export class TransientTransportError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TransientTransportError';
  }
}

/** The whole batch can never succeed as is (bad credentials, invalid payload). */
export class PermanentTransportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PermanentTransportError';
  }
}
