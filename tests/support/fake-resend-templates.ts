import { randomUUID } from 'node:crypto';
import { type Answer, fail } from './fake-resend-emails.js';

/** One template as the fake's Resend account holds it. */
export interface FakeTemplate {
  id: string;
  alias: string | null;
  name: string;
  html: string;
  text: string | null;
  subject: string | null;
  variables: { key: string; type: 'string' | 'number'; fallback_value: string | number | null }[];
  published: boolean;
}

/** Resend keeps these names for its own contacts. */
const RESERVED = new Set(['FIRST_NAME', 'LAST_NAME', 'EMAIL', 'UNSUBSCRIBE_URL', 'contact', 'this']);
const VARIABLE_USE = /\{\{\{\s*([A-Za-z0-9_]+)\s*\}\}\}/g;
const MAX_VARIABLES = 50;
const MAX_VALUE_LENGTH = 2_000;

const usedVariables = (...sources: (string | null | undefined)[]) =>
  new Set(sources.flatMap((source) => [...(source ?? '').matchAll(VARIABLE_USE)].map((m) => m[1]!)));

/**
 * Resend's Templates API as far as Candor uses it: create (with alias and declared variables), get,
 * publish and remove by id or alias, and rendering a published template's `{{{NAME}}}` variables with
 * an e-mail's values (inserted as given; Resend's triple braces do not escape).
 */
export class FakeTemplates {
  readonly all = new Map<string, FakeTemplate>();

  find(idOrAlias: string): FakeTemplate | undefined {
    return this.all.get(idOrAlias) ?? [...this.all.values()].find((template) => template.alias === idOrAlias);
  }

  /** `POST /templates`, `GET|DELETE /templates/:id`, `POST /templates/:id/publish`. */
  answer(method: string, path: string, raw: string): Answer {
    const [, , idOrAlias, action] = path.split('/');
    if (method === 'POST' && !idOrAlias) return this.create(raw);
    const template = idOrAlias ? this.find(decodeURIComponent(idOrAlias)) : undefined;
    if (!template) return fail(404, 'not_found', 'Template not found');
    if (method === 'POST' && action === 'publish') {
      template.published = true;
      return { status: 200, body: { object: 'template', id: template.id } };
    }
    if (method === 'GET' && !action) return { status: 200, body: { object: 'template', ...template } };
    if (method === 'DELETE' && !action) {
      this.all.delete(template.id);
      return { status: 200, body: { object: 'template', id: template.id, deleted: true } };
    }
    return fail(405, 'method_not_allowed', 'Method not allowed.');
  }

  private create(raw: string): Answer {
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      return fail(400, 'validation_error', 'Invalid JSON body.');
    }
    if (typeof body.name !== 'string' || !body.name)
      return fail(422, 'validation_error', '`name` is required.');
    if (typeof body.html !== 'string' || !body.html)
      return fail(422, 'validation_error', '`html` is required.');
    const alias = typeof body.alias === 'string' ? body.alias : null;
    if (alias && this.find(alias))
      return fail(409, 'validation_error', `A template with alias '${alias}' already exists.`);
    const declared = (body.variables ?? []) as {
      key: string;
      type: 'string' | 'number';
      fallback_value?: unknown;
    }[];
    if (declared.length > MAX_VARIABLES)
      return fail(422, 'validation_error', `A template may have at most ${MAX_VARIABLES} variables.`);
    for (const variable of declared) {
      if (RESERVED.has(variable.key))
        return fail(422, 'validation_error', `The variable name '${variable.key}' is reserved.`);
    }
    const keys = new Set(declared.map((v) => v.key));
    const text = typeof body.text === 'string' ? body.text : null;
    const subject = typeof body.subject === 'string' ? body.subject : null;
    for (const used of usedVariables(body.html, text, subject)) {
      if (!keys.has(used))
        return fail(
          422,
          'validation_error',
          `Variable '${used}' is used in the template but not defined in the variables list`,
        );
    }
    const template: FakeTemplate = {
      id: randomUUID(),
      alias,
      name: body.name,
      html: body.html,
      text,
      subject,
      variables: declared.map((v) => ({
        key: v.key,
        type: v.type,
        fallback_value: (v.fallback_value ?? null) as string | number | null,
      })),
      published: false,
    };
    this.all.set(template.id, template);
    return { status: 201, body: { object: 'template', id: template.id } };
  }

  /** Why an e-mail's `template` cannot be sent, or null. */
  problemOf(email: Record<string, unknown>): string | null {
    const given = email.template as { id?: unknown; variables?: Record<string, unknown> } | undefined;
    if (email.html !== undefined || email.text !== undefined)
      return 'The `template` field cannot be used with `html` or `text`.';
    const template = typeof given?.id === 'string' ? this.find(given.id) : undefined;
    if (!template) return `Template not found: ${String(given?.id)}.`;
    if (!template.published) return `Template ${String(given?.id)} is not published.`;
    if (!email.subject && !template.subject) return 'The `subject` field is missing.';
    const values = given?.variables ?? {};
    for (const variable of template.variables) {
      const value = values[variable.key];
      if (value === undefined && variable.fallback_value === null)
        return `Missing value for variable '${variable.key}'.`;
      if (value !== undefined && typeof value !== 'string' && typeof value !== 'number')
        return `Variable '${variable.key}' must be a string or a number.`;
      if (typeof value === 'string' && value.length > MAX_VALUE_LENGTH)
        return `Variable '${variable.key}' is longer than ${MAX_VALUE_LENGTH} characters.`;
    }
    return null;
  }

  /** The e-mail Resend would send: the template with the e-mail's values. */
  render(email: Record<string, unknown>): { subject: string; html: string; text: string | undefined } {
    const given = email.template as { id: string; variables?: Record<string, string | number> };
    const template = this.find(given.id)!;
    const values = new Map(template.variables.map((v) => [v.key, v.fallback_value]));
    for (const [key, value] of Object.entries(given.variables ?? {})) values.set(key, value);
    const fill = (source: string) =>
      source.replace(VARIABLE_USE, (_, key: string) => String(values.get(key) ?? ''));
    return {
      subject: (email.subject as string | undefined) ?? fill(template.subject ?? ''),
      html: fill(template.html),
      text: template.text === null ? undefined : fill(template.text),
    };
  }
}
