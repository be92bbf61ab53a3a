import type { ErrorResponse, Resend } from 'resend';
import type { ProviderTemplate } from '../../rendering/provider-template.js';
import { TransientTransportError } from './transport.js';

/** Why a template request failed, for `mapResendError`. */
export class TemplateRequestError extends Error {
  constructor(
    readonly error: ErrorResponse,
    readonly headers: Record<string, string> | null,
  ) {
    super(`resend templates: ${error.statusCode ?? 'no answer'} ${error.name}: ${error.message}`);
    this.name = 'TemplateRequestError';
  }
}

export interface ResendTemplatesOptions {
  /** Called before each request, so that template requests keep to the account's request rate. */
  pace?: () => Promise<void>;
  timeoutMs: number;
}

/**
 * Makes sure each body a send uses exists as a published Resend template, once per process. The
 * template's alias is the body's hash, so every process and every retry names the same template, and
 * a retried batch is byte-identical to its first attempt (Resend's idempotency key requires that).
 */
export class ResendTemplates {
  /** By key: the alias, or undefined for a body Resend refused as a template. */
  private readonly published = new Map<string, Promise<string | undefined>>();
  /** Set when the API key may not manage templates: bodies are then sent finished. */
  unavailable = false;

  constructor(private readonly client: Resend) {}

  /**
   * The alias to send `template` under, after creating and publishing it if need be; undefined when
   * the body is to go finished: this API key may not manage templates, or Resend refused this
   * template (the same body is refused again on a retry, so the retry sends the same bytes). Throws
   * `TemplateRequestError` when the answer is worth retrying (no answer, 429, 5xx).
   */
  aliasOf(template: ProviderTemplate, options: ResendTemplatesOptions): Promise<string | undefined> {
    if (this.unavailable) return Promise.resolve(undefined);
    let alias = this.published.get(template.key);
    if (!alias) {
      alias = this.publish(template, options);
      this.published.set(template.key, alias);
      alias.catch(() => this.published.delete(template.key));
    }
    return alias;
  }

  private async publish(
    template: ProviderTemplate,
    options: ResendTemplatesOptions,
  ): Promise<string | undefined> {
    const alias = `candor-${template.key}`;
    const signal = () => AbortSignal.timeout(options.timeoutMs);
    const request = async <T>(call: () => PromiseLike<T>): Promise<T> => {
      await options.pace?.();
      try {
        return await call();
      } catch (cause) {
        throw new TransientTransportError('resend templates: request failed', { cause });
      }
    };
    const created = await request(() =>
      this.client.templates.create(
        {
          name: template.name,
          alias,
          html: template.html,
          text: template.text,
          variables: template.variables.map((key) => ({ key, type: 'string' as const })),
        },
        { signal: signal() },
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
        ? await request(() => this.client.templates.get(alias, { signal: signal() }))
        : undefined;
      if (!existing || existing.error) {
        if (refused(created.error)) return undefined;
        throw new TemplateRequestError(created.error, created.headers);
      }
    }
    const publishing = await request(() => this.client.templates.publish(alias, { signal: signal() }));
    if (publishing.error) {
      if (refused(publishing.error)) return undefined;
      throw new TemplateRequestError(publishing.error, publishing.headers);
    }
    return alias;
  }
}

/** A 4xx that asking again will not change (not a timeout, a conflict or a rate limit). */
function refused(error: ErrorResponse): boolean {
  const status = error.statusCode;
  return status !== null && status >= 400 && status < 500 && ![408, 409, 429].includes(status);
}
