import { z } from 'zod';

/**
 * Props as stored in `communication_versions.props` (JSON) plus the recipient fields the send worker
 * adds, one schema per template. Parsing normalises recipient strings once, before either render path
 * sees them, so the render-once path and a full render start from identical values.
 */

// Lone surrogates become U+FFFD when React's stream is encoded; replacing them here keeps both render
// paths equal. C0 controls have no business in a name and would corrupt headers if copied there.
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
const controls = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;
export const cleanText = (value: string) =>
  value.replace(loneSurrogate, '\uFFFD').replace(controls, '').trim();

const requiredText = z.string().transform(cleanText).pipe(z.string().min(1));
const optionalText = z
  .string()
  .nullish()
  .transform((v) => (v == null ? undefined : cleanText(v) || undefined));
const iso = z.string().min(1);

/** Links must be http(s); parsing percent-encodes anything that is not URL-safe. */
const url = z.string().transform((value, ctx) => {
  try {
    const parsed = new URL(value.trim());
    if (parsed.protocol === 'http:' || parsed.protocol === 'https:') return parsed.href;
  } catch {}
  ctx.addIssue({ code: 'custom', message: 'expected an http(s) URL' });
  return z.NEVER;
});
const optionalUrl = z
  .string()
  .nullish()
  .transform((v) => (v?.trim() ? v : undefined))
  .pipe(url.optional());

export const recipientShape = {
  customerName: requiredText,
  contactName: optionalText,
  unsubscribeUrl: url,
  reason: optionalText,
  accountManager: optionalText,
};

const customerShape = {
  ...recipientShape,
  companyName: requiredText,
  statusPageUrl: optionalUrl,
};

const statusAliases: Record<string, string> = { postmortem: 'resolved' };
const status = z
  .string()
  .transform((s) => statusAliases[s] ?? s)
  .pipe(z.enum(['investigating', 'identified', 'monitoring', 'resolved']));
const severity = z.enum(['minor', 'major', 'critical']);
const stringList = z.array(z.string()).default([]);

/** A staff edit (`body`) wins over the event's text (`message`). */
const withBody = <T extends { message: string; body?: string | undefined }>({ body, ...rest }: T) => ({
  ...rest,
  message: body ?? rest.message,
});

const incident = z
  .object({
    ...customerShape,
    title: requiredText,
    status,
    severity,
    message: z.string().default(''),
    body: optionalText,
    components: stringList,
    regions: stringList,
    startedAt: iso,
    updatedAt: optionalText,
  })
  .transform(withBody);

export const schemas = {
  'incident-notice': incident,
  'incident-update': incident,
  'incident-resolved': z
    .object({
      ...customerShape,
      title: requiredText,
      severity,
      message: z.string().default(''),
      body: optionalText,
      nextSteps: optionalText,
      components: stringList,
      regions: stringList,
      startedAt: iso,
      resolvedAt: iso,
      brief: z.boolean().optional(),
    })
    .transform(withBody),
  postmortem: z.object({
    ...customerShape,
    title: requiredText,
    summary: requiredText,
    timeline: z.array(z.object({ at: iso, text: z.string() })).default([]),
    cause: requiredText,
    changes: stringList,
    startedAt: iso,
    resolvedAt: iso,
  }),
  maintenance: z
    .object({
      ...customerShape,
      title: requiredText,
      phase: z.enum(['scheduled', 'started', 'completed']),
      message: z.string().default(''),
      body: optionalText,
      windowStart: iso,
      windowEnd: iso,
      components: stringList,
      regions: stringList,
    })
    .transform(withBody),
  'executive-apology': z.object({
    ...customerShape,
    body: requiredText,
    sender: z.object({ name: requiredText, title: requiredText, signature: optionalText }),
    subject: optionalText,
  }),
  'approval-request': z.object({
    executiveName: requiredText,
    requesterName: requiredText,
    subject: requiredText,
    excerpt: z.string().default(''),
    recipients: z.number().int().min(0),
    approvalUrl: url,
    expiresAt: iso,
    companyName: requiredText,
  }),
  'reply-forward': z.object({
    customerName: requiredText,
    contactName: requiredText,
    contactEmail: requiredText,
    originalSubject: z.string().default(''),
    replyText: z.string(),
    receivedAt: iso,
    inboxUrl: optionalUrl,
    companyName: requiredText,
  }),
};
