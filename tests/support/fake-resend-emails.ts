import type { FakeTemplates } from './fake-resend-templates.js';

/** One e-mail the fake accepted, as Resend would have queued it. */
export interface FakeDelivery {
  id: string;
  from: string;
  to: string[];
  subject: string;
  html: string | undefined;
  text: string | undefined;
  headers: Record<string, string>;
  reply_to: string | string[] | undefined;
  tags: { name: string; value: string }[];
  idempotencyKey: string | undefined;
  /** The id or alias of the template the e-mail was sent with, if any. */
  template: string | undefined;
}

/** What the fake answers: status, JSON body and extra headers. */
export interface Answer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

const TAG = /^[A-Za-z0-9_-]{1,256}$/;
const ADDRESS = /^(?:[^<>]*<[^@<>\s]+@[^@<>\s]+\.[^@<>\s]+>|[^@<>\s]+@[^@<>\s]+\.[^@<>\s]+)$/;

export const fail = (status: number, name: string, message: string): Answer => ({
  status,
  body: { statusCode: status, name, message },
});

/** Resend's per-email checks; the message wording follows Resend's validation_error answers. */
export function validateEmail(email: unknown, templates: FakeTemplates): string | null {
  if (!email || typeof email !== 'object') return 'Each email must be an object.';
  const e = email as Record<string, unknown>;
  // A template may bring its own subject (checked with the template).
  for (const field of ['from', 'to', ...(e.template === undefined ? ['subject'] : [])])
    if (!e[field]) return `The \`${field}\` field is missing.`;
  const to = Array.isArray(e.to) ? e.to : [e.to];
  if (to.length > 50) return 'The `to` field must have at most 50 recipients.';
  for (const address of [e.from, ...to]) {
    if (typeof address !== 'string' || !ADDRESS.test(address))
      return `Invalid email address: ${String(address)}.`;
  }
  if (e.template !== undefined) {
    const problem = templates.problemOf(e);
    if (problem) return problem;
  } else if (!e.html && !e.text) return 'Either `html` or `text` must be provided.';
  for (const tag of (e.tags as { name?: string; value?: string }[] | undefined) ?? []) {
    if (!TAG.test(tag.name ?? '') || !TAG.test(tag.value ?? '')) {
      return 'Tags should only contain ASCII letters, numbers, underscores, or dashes.';
    }
  }
  return null;
}

/** The e-mail as Resend would queue it: a template's rendered, a finished one as given. */
export function deliveryOf(
  email: Record<string, unknown>,
  templates: FakeTemplates,
  id: string,
  idempotencyKey: string | undefined,
): FakeDelivery {
  const body =
    email.template === undefined
      ? {
          subject: email.subject as string,
          html: email.html as string | undefined,
          text: email.text as string | undefined,
        }
      : templates.render(email);
  return {
    id,
    from: email.from as string,
    to: Array.isArray(email.to) ? (email.to as string[]) : [email.to as string],
    ...body,
    headers: (email.headers as Record<string, string> | undefined) ?? {},
    reply_to: email.reply_to as string | string[] | undefined,
    tags: (email.tags as { name: string; value: string }[] | undefined) ?? [],
    idempotencyKey,
    template: (email.template as { id?: string } | undefined)?.id,
  };
}
