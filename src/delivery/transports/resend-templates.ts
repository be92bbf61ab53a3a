import type { ErrorResponse, Resend } from 'resend';
import type { ProviderTemplate } from '../../rendering/provider-template.js';
import { mapResendError, resendRequest } from './resend-errors.js';

/**
 * Makes sure each body a send uses exists as a published Resend template, once per process. The
 * template's alias is the body's hash, so every process and every retry names the same template, and
 * a retried batch is byte-identical to its first attempt (Resend's idempotency key requires that).
 */
export class ResendTemplates {
  /** By key: the alias, or undefined for a body Resend refused as a template. */
  private readonly published = new Map<string, Promise<string | undefined>>();
  /** Set when the API key may not manage templates: bodies are then sent finished. */
  private unavailable = false;

  constructor(
    private readonly client: Resend,
    /** One request's time limit, as for the batch's own. */
    private readonly timeoutMs: number,
  ) {}

  /**
   * The alias to send `template` under, after creating and publishing it if need be; undefined when
   * the body is to go finished: this API key may not manage templates, or Resend refused this
   * template (the same body is refused again on a retry, so the retry sends the same bytes). Rejects
   * with the batch's own errors (`mapResendError`) when the answer is worth retrying (no answer, 429,
   * 5xx). `pace` is awaited before each request, to keep to the account's request rate.
   */
  aliasOf(template: ProviderTemplate, pace?: () => Promise<void>): Promise<string | undefined> {
    if (this.unavailable) return Promise.resolve(undefined);
    let alias = this.published.get(template.key);
    if (!alias) {
      alias = this.publish(template, pace);
      this.published.set(template.key, alias);
      alias.catch(() => this.published.delete(template.key));
    }
    return alias;
  }

  private async publish(template: ProviderTemplate, pace?: () => Promise<void>): Promise<string | undefined> {
    const alias = `candor-${template.key}`;
    const request = async <T>(what: string, call: (signal: AbortSignal) => PromiseLike<T>): Promise<T> => {
      await pace?.();
      return resendRequest(what, () => call(AbortSignal.timeout(this.timeoutMs)));
    };
    const created = await request('template create', (signal) =>
      this.client.templates.create(
        {
          name: template.name,
          alias,
          html: template.html,
          text: template.text,
          variables: template.variables.map((key) => ({ key, type: 'string' as const })),
        },
        { signal },
      ),
    );
    if (created.error) {
      if (created.error.name === 'restricted_api_key') {
        this.unavailable = true;
        return undefined;
      }
      // Another process, or an attempt cut short, may have created it first: the alias names the same body.
      const maybeExists = created.error.statusCode === 409 || created.error.statusCode === 422;
      const existing = maybeExists
        ? await request('template lookup', (signal) => this.client.templates.get(alias, { signal }))
        : undefined;
      if (!existing || existing.error) {
        if (refused(created.error)) return undefined;
        throw mapResendError(created.error, created.headers);
      }
    }
    const publishing = await request('template publish', (signal) =>
      this.client.templates.publish(alias, { signal }),
    );
    if (publishing.error) {
      if (refused(publishing.error)) return undefined;
      throw mapResendError(publishing.error, publishing.headers);
    }
    return alias;
  }
}

/** A 4xx that asking again will not change (not a timeout, a conflict or a rate limit). */
function refused(error: ErrorResponse): boolean {
  const status = error.statusCode;
  return status !== null && status >= 400 && status < 500 && ![408, 409, 429].includes(status);
}
