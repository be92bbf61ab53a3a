import { z } from 'zod';

/** No CR/LF: the subject ends up in a header. */
const subject = z
  .string()
  .trim()
  .min(1)
  .max(300)
  .regex(/^[^\r\n]*$/, 'must be one line');
const body = z.string().trim().min(1).max(50_000);

export const createCommunicationBodySchema = z.object({
  kind: z.enum(['apology', 'update', 'notice']),
  segment: z.string().min(1).max(64),
  /** User id of the executive the apology goes out as; required for apologies. */
  sender: z.string().min(1).max(100).optional(),
  subject: subject.optional(),
  /** Markdown for apologies, plain text for updates and notices; an apology without one is drafted. */
  body: body.optional(),
});
export type CreateCommunicationBody = z.infer<typeof createCommunicationBodySchema>;

export const editCommunicationBodySchema = z
  .object({ subject: subject.optional(), body: body.optional() })
  .refine((b) => b.subject !== undefined || b.body !== undefined, { message: 'send subject, body or both' });
export type EditCommunicationBody = z.infer<typeof editCommunicationBodySchema>;

/** Unsaved editor state: empty fields are left out by the client, so the stored ones are shown instead. */
export const draftPreviewBodySchema = z.object({
  subject: subject.optional(),
  body: body.optional(),
  segment: z.string().max(200).optional(),
  contact: z.string().max(320).optional(),
});

export const versionSchema = z.object({
  version: z.number(),
  template: z.string(),
  subject: z.string(),
  body: z.string().nullable(),
  content_hash: z.string(),
  created_by: z.string().nullable(),
  /** The author's display name (a user's name, an API key's name, "Candor" for automatic versions). */
  created_by_name: z.string().nullable().optional(),
  created_at: z.string(),
});

export const senderSchema = z.object({
  id: z.string(),
  name: z.string(),
  email: z.string(),
  title: z.string().nullable(),
});

export const approvalSchema = z.object({
  decision: z.enum(['approved', 'rejected']),
  approver: z.string().nullable(),
  version: z.number(),
  content_hash: z.string(),
  reason: z.string().nullable(),
  at: z.string(),
});
