import { z } from 'zod';

/** Most addresses a customer may list; more is almost certainly an import mistake, not a team. */
export const MAX_CONTACTS_PER_CUSTOMER = 50;

/** Names, roles and refs end up in mail headers and logs, where a line break is a header injection. */
const singleLine = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .refine((v) => !/[\r\n]/.test(v), 'must not contain line breaks');

const slug = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .regex(/^[a-z0-9][a-z0-9_-]*$/, 'lowercase letters, digits, "-" and "_"');

/**
 * Addresses are compared by exact text everywhere (contacts, suppressions, replies), so they are stored
 * in one form: trimmed and lower-cased as a whole. Local parts are case-sensitive in theory only.
 */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export const emailSchema = z
  .string()
  .max(254)
  .transform(normalizeEmail)
  .pipe(z.email({ message: 'not a valid e-mail address' }));

/** BCP 47-ish: a language, then optional subtags (`en`, `de-DE`, `zh-Hant-TW`). */
export const localeSchema = z
  .string()
  .regex(/^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$/, 'expected a language tag such as "en" or "de-DE"');

export const contactInputSchema = z.object({
  email: emailSchema,
  name: singleLine(200).optional(),
  role: singleLine(200).optional(),
  locale: localeSchema.optional(),
});

const customerFields = {
  name: singleLine(300),
  tier: slug(50),
  regions: z.array(slug(64)).max(100),
  components: z.array(slug(64)).max(100),
  locale: localeSchema.optional(),
  attributes: z
    .record(z.string(), z.unknown())
    .refine((v) => JSON.stringify(v).length <= 16_384, 'must be at most 16 KiB as JSON')
    .optional(),
  contacts: z.array(contactInputSchema).min(1).max(MAX_CONTACTS_PER_CUSTOMER),
};

/** Two contacts with one address would be one row after normalisation; say so instead of merging them. */
function noDuplicateEmails(
  value: { contacts: { email: string }[] },
  ctx: { addIssue: (issue: z.core.$ZodRawIssue) => void },
) {
  const seen = new Map<string, number>();
  value.contacts.forEach((contact, index) => {
    const first = seen.get(contact.email);
    if (first === undefined) seen.set(contact.email, index);
    else
      ctx.addIssue({
        code: 'custom',
        path: ['contacts', index, 'email'],
        message: `duplicate of contacts.${first}.email`,
        input: contact.email,
      });
  });
}

export const refSchema = singleLine(200);

/** Body of `PUT /v1/customers/:ref`. */
export const customerBodySchema = z.object(customerFields).superRefine(noDuplicateEmails);

/** One item of `POST /v1/customers/import` (JSON); the same fields plus its `ref`. */
export const customerImportItemSchema = z
  .object({ ref: refSchema, ...customerFields })
  .superRefine(noDuplicateEmails);

export type CustomerInput = z.output<typeof customerImportItemSchema>;
export type ContactInput = z.output<typeof contactInputSchema>;

export const contactSchema = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string().nullable(),
  role: z.string().nullable(),
  locale: z.string().nullable(),
  unsubscribed_at: z.string().nullable(),
  /** On the suppression list (bounce, complaint, manual): mail to this address is never sent. */
  suppressed: z.boolean(),
});

export const customerSchema = z.object({
  id: z.string(),
  ref: z.string(),
  name: z.string(),
  tier: z.string(),
  regions: z.array(z.string()),
  components: z.array(z.string()),
  locale: z.string().nullable(),
  attributes: z.record(z.string(), z.unknown()),
  contacts: z.array(contactSchema),
  created_at: z.string(),
  updated_at: z.string(),
});
export type CustomerView = z.infer<typeof customerSchema>;

export const upsertResponseSchema = z.object({ customer: customerSchema, created: z.boolean() });

export const importResultSchema = z.object({
  created: z.number().int(),
  updated: z.number().int(),
  rejected: z.array(z.object({ row: z.number().int(), error: z.string() })),
});
export type ImportResult = z.infer<typeof importResultSchema>;

/** Turns zod issues into one readable line per row, paths written like the API's `details[].path`. */
export function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .map((issue) => `${issue.path.length ? `${issue.path.join('.')}: ` : ''}${issue.message}`)
    .join('; ');
}
