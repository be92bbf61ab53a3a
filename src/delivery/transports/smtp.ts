import nodemailer from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer';
import { toMailOptions } from './mime.js';
import {
  type OutgoingEmail,
  PermanentTransportError,
  type SendBatchOptions,
  type SendOutcome,
  TransientTransportError,
  type Transport,
} from './transport.js';

export interface SmtpTransportOptions {
  /** `smtp://user:pass@host:587` or `smtps://…`; nodemailer's URL options (e.g. `?requireTLS=true`) apply. */
  url: string;
  /** Pooled connections kept open to the relay (default 3). */
  maxConnections?: number;
  /** Per-connection socket and greeting timeouts in ms (default 30 s). */
  timeoutMs?: number;
}

interface SmtpError extends Error {
  code?: string;
  responseCode?: number;
  response?: string;
}

/** How long and how many sent messages are remembered per idempotency key (see `SmtpTransport`). */
const MEMO_TTL_MS = 24 * 3600 * 1000;
const MEMO_MAX = 20_000;

/**
 * Sends through any SMTP relay with pooled nodemailer connections. SMTP has no idempotency keys, so
 * the transport remembers which messages of a batch key it already handed to the relay: when one
 * message hits a temporary error the batch is retried, and the retry skips the ones already sent.
 * The memory is per process, so a retry that lands on another worker can still repeat them.
 *
 * Per message: a 5xx answer (or an address nodemailer cannot use) is a permanent outcome for that
 * message only. Bad credentials fail the batch permanently; 4xx answers, connection errors and
 * timeouts make the batch transient.
 */
export class SmtpTransport implements Transport {
  readonly name = 'smtp' as const;
  private readonly mailer: Mail;
  private readonly concurrency: number;
  private readonly sent = new Map<string, { providerId: string; at: number }>();

  constructor(options: SmtpTransportOptions) {
    this.concurrency = options.maxConnections ?? 3;
    const timeout = options.timeoutMs ?? 30_000;
    this.mailer = nodemailer.createTransport({
      url: options.url,
      pool: true,
      maxConnections: this.concurrency,
      connectionTimeout: timeout,
      greetingTimeout: timeout,
      socketTimeout: timeout,
    });
  }

  async sendBatch(emails: OutgoingEmail[], { idempotencyKey }: SendBatchOptions): Promise<SendOutcome[]> {
    this.forgetOld();
    const outcomes: SendOutcome[] = new Array(emails.length);
    let transient: SmtpError | undefined;
    let permanent: SmtpError | undefined;
    let next = 0;
    const work = async () => {
      while (next < emails.length && !permanent) {
        const index = next++;
        const email = emails[index]!;
        const memoKey = `${idempotencyKey}\n${email.messageId}`;
        const known = this.sent.get(memoKey);
        if (known) {
          outcomes[index] = { messageId: email.messageId, ok: true, providerId: known.providerId };
          continue;
        }
        try {
          const info = await this.mailer.sendMail(toMailOptions(email, new Date()));
          const providerId = `smtp:${info.messageId ?? email.messageId}`;
          this.sent.set(memoKey, { providerId, at: Date.now() });
          outcomes[index] = { messageId: email.messageId, ok: true, providerId };
        } catch (caught) {
          const error = caught as SmtpError;
          if (error.code === 'EAUTH') permanent = error;
          else if (isPermanentForMessage(error)) {
            outcomes[index] = {
              messageId: email.messageId,
              ok: false,
              permanent: true,
              error: describe(error),
            };
          } else transient ??= error;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, emails.length) }, work));
    if (permanent) throw new PermanentTransportError(`smtp: ${describe(permanent)}`);
    if (transient) throw new TransientTransportError(`smtp: ${describe(transient)}`, { cause: transient });
    return outcomes;
  }

  private forgetOld(): void {
    const cutoff = Date.now() - MEMO_TTL_MS;
    for (const [key, entry] of this.sent) {
      if (entry.at >= cutoff && this.sent.size <= MEMO_MAX) break;
      this.sent.delete(key);
    }
  }

  async close(): Promise<void> {
    this.mailer.close();
  }
}

function isPermanentForMessage(error: SmtpError): boolean {
  if (error.responseCode !== undefined) return error.responseCode >= 500;
  // Raised before anything is sent: an address or message nodemailer cannot use.
  return error.code === 'EENVELOPE' || error.code === 'EMESSAGE';
}

function describe(error: SmtpError): string {
  return [error.code, error.responseCode, error.response ?? error.message].filter(Boolean).join(' ');
}
