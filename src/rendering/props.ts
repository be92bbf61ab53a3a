import { z } from 'zod';
import type { IncidentNoticeEmailProps } from '../../emails/incident-notice.js';

/** A stored version's props could not be rendered: the content needs fixing, retrying will not help. */
export class TemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemplateError';
  }
}

/** Lifecycle states after "resolved" still read as resolved to a customer. */
const statusAliases: Record<string, IncidentNoticeEmailProps['status']> = { postmortem: 'resolved' };

const optionalText = z
  .string()
  .nullish()
  .transform((v) => (v?.trim() ? v : undefined));

/** Props as stored in `communication_versions.props` (JSON) plus the recipient fields the worker adds. */
export const incidentNoticePropsSchema = z
  .object({
    title: z.string().min(1),
    status: z
      .string()
      .transform((s) => statusAliases[s] ?? s)
      .pipe(z.enum(['investigating', 'identified', 'monitoring', 'resolved'])),
    severity: z.enum(['minor', 'major', 'critical']),
    message: z.string().default(''),
    /** A staff edit of the copy; wins over the event's `message` when present. */
    body: optionalText,
    components: z.array(z.string()).default([]),
    regions: z.array(z.string()).default([]),
    startedAt: z.string().min(1),
    updatedAt: optionalText,
    companyName: z.string().min(1),
    statusPageUrl: optionalText,
    customerName: z.string().min(1),
    contactName: optionalText,
    unsubscribeUrl: z.string().min(1),
    reason: optionalText,
    lang: optionalText,
    subject: optionalText,
  })
  .transform(({ body, reason, subject, ...p }) => {
    const props: IncidentNoticeEmailProps = {
      ...p,
      message: body ?? p.message,
      reason:
        reason ??
        `You get this because you are listed as a contact for ${p.customerName} at ${p.companyName}.`,
    };
    return { props, subject };
  });

export function parseIncidentNoticeProps(input: Record<string, unknown>): {
  props: IncidentNoticeEmailProps;
  subject: string | undefined;
} {
  const parsed = incidentNoticePropsSchema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(props)'}: ${i.message}`);
    throw new TemplateError(`incident-notice props are invalid: ${problems.join('; ')}`);
  }
  // exactOptionalPropertyTypes is off, but keep undefined keys out so snapshots and hashes stay tidy.
  const props = Object.fromEntries(
    Object.entries(parsed.data.props).filter(([, v]) => v !== undefined),
  ) as unknown as IncidentNoticeEmailProps;
  return { props, subject: parsed.data.subject };
}
