import { type CreateBatchOptions, Resend } from 'resend';
import type { ProviderTemplate } from '../../rendering/provider-template.js';
import { mapResendError, resendRequest } from './resend-errors.js';
import { ResendTemplates } from './resend-templates.js';
import {
  type OutgoingEmail,
  PermanentTransportError,
  type PrepareBatchOptions,
  type SendBatchOptions,
  type SendOutcome,
  TransientTransportError,
  type Transport,
} from './transport.js';

export { mapResendError, retryAfterMs } from './resend-errors.js';

export interface ResendTransportOptions {
  apiKey: string;
  /** API base, e.g. a fake server in tests; default: `RESEND_BASE_URL` or Resend's own. */
  baseUrl?: string | undefined;
  /** Give up on one request after this long (default 30 s); it then counts as a network error. */
  timeoutMs?: number;
  /**
   * Send bodies as published Resend templates plus each recipient's values, instead of finished HTML
   * per e-mail (default true). Falls back to finished HTML by itself when the API key may only send.
   */
  templates?: boolean;
  /**
   * A body goes as a template only when at least this many e-mails of the batch share it (default
   * 10): creating one costs two requests of the account's rate, which a small send would feel as delay
   * before its first e-mail. The count is a property of the frozen batch, so a retry decides alike.
   */
  templateMinEmails?: number;
}

/** Resend allows only ASCII letters, digits, `_` and `-` in tag names and values, ≤256 characters. */
export function sanitizeTag(value: string): string {
  const clean = value.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 256);
  return clean === '' ? '_' : clean;
}

/** `alias` names the published template of `email.templated`; without it the body goes finished. */
function toResendEmail(email: OutgoingEmail, alias: string | undefined): CreateBatchOptions[number] {
  const common = {
    from: email.from,
    to: [email.to],
    replyTo: email.replyTo,
    subject: email.subject,
    headers: email.headers,
    tags: email.tags.map((tag) => ({ name: sanitizeTag(tag.name), value: sanitizeTag(tag.value) })),
  };
  return alias && email.templated
    ? { ...common, template: { id: alias, variables: email.templated.variables } }
    : { ...common, html: email.html, text: email.text };
}

/**
 * Sends through Resend's batch endpoint (≤100 e-mails per request) with the worker's idempotency key,
 * so a retry after a lost answer is deduplicated by Resend for 24 hours instead of sent twice.
 * Validation is permissive: an invalid e-mail fails alone (as a permanent outcome) rather than
 * taking the other 99 down with it. Bodies shared by the batch go as published templates
 * (`ResendTemplates`) with each recipient's values, unless `templates` is false.
 */
export class ResendTransport implements Transport {
  readonly name = 'resend' as const;
  private readonly client: Resend;
  private readonly timeoutMs: number;

  private readonly templates: ResendTemplates | undefined;
  private readonly templateMinEmails: number;

  constructor(options: ResendTransportOptions) {
    this.client = new Resend(options.apiKey, options.baseUrl ? { baseUrl: options.baseUrl } : undefined);
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.templates =
      options.templates === false ? undefined : new ResendTemplates(this.client, this.timeoutMs);
    this.templateMinEmails = options.templateMinEmails ?? 10;
  }

  async sendBatch(emails: OutgoingEmail[], options: SendBatchOptions): Promise<SendOutcome[]> {
    if (emails.length === 0) return [];
    if (emails.length > 100)
      throw new PermanentTransportError(`resend: batch of ${emails.length} exceeds 100`);
    const aliases = await this.templateAliases(emails, {});
    const payload = emails.map((email) =>
      toResendEmail(email, email.templated && aliases.get(email.templated.template.key)),
    );
    const response = await resendRequest('request', () => this.send(payload, options.idempotencyKey));
    if (response.error) throw mapResendError(response.error, response.headers);
    return matchOutcomes(emails, response.data);
  }

  private send(payload: CreateBatchOptions, idempotencyKey: string) {
    return this.client.batch.send(payload, {
      idempotencyKey,
      batchValidation: 'permissive',
      signal: AbortSignal.timeout(this.timeoutMs),
    });
  }

  /** Creates and publishes the templates of the batch's bodies that this process has not yet. */
  async prepareBatch(emails: OutgoingEmail[], options: PrepareBatchOptions): Promise<void> {
    await this.templateAliases(emails, options);
  }

  /** The published template of each body in the batch, by its key; none when templates are off. */
  private async templateAliases(
    emails: OutgoingEmail[],
    options: PrepareBatchOptions,
  ): Promise<Map<string, string>> {
    const aliases = new Map<string, string>();
    if (!this.templates) return aliases;
    const sharing = new Map<string, { template: ProviderTemplate; count: number }>();
    for (const email of emails) {
      const template = email.templated?.template;
      if (!template) continue;
      const shared = sharing.get(template.key) ?? { template, count: 0 };
      shared.count++;
      sharing.set(template.key, shared);
    }
    for (const { template, count } of sharing.values()) {
      if (count < this.templateMinEmails) continue;
      const alias = await this.templates.aliasOf(template, options.pace);
      if (alias) aliases.set(template.key, alias);
    }
    return aliases;
  }

  async close(): Promise<void> {}
}

/**
 * In permissive mode `data` lists the ids of the accepted e-mails in request order and `errors` the
 * rejected ones by index, so ids are handed out to the indices that are not in `errors`.
 */
function matchOutcomes(
  emails: OutgoingEmail[],
  body: { data?: { id: string }[]; errors?: { index: number; message: string }[] } | null,
): SendOutcome[] {
  const ids = Array.isArray(body?.data) ? body.data : [];
  const errors = new Map((body?.errors ?? []).map((e) => [e.index, e.message]));
  if (ids.length + errors.size !== emails.length) {
    throw new TransientTransportError(
      `resend: answer has ${ids.length} ids and ${errors.size} errors for ${emails.length} e-mails`,
    );
  }
  let next = 0;
  return emails.map((email, index) => {
    const message = errors.get(index);
    if (message !== undefined)
      return { messageId: email.messageId, ok: false, permanent: true, error: message };
    const id = ids[next++]!.id;
    return { messageId: email.messageId, ok: true, providerId: id };
  });
}
