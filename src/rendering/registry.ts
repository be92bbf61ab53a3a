import type { ComponentType } from 'react';
import ApprovalRequestEmail, { approvalRequestDoc } from '../../emails/approval-request.js';
import type { EmailDoc } from '../../emails/components/document.js';
import { type Variant, variants } from '../../emails/components/wording.js';
import ExecutiveApologyEmail, { executiveApologyDoc } from '../../emails/executive-apology.js';
import IncidentNoticeEmail, { incidentNoticeDoc } from '../../emails/incident-notice.js';
import IncidentResolvedEmail, { incidentResolvedDoc } from '../../emails/incident-resolved.js';
import IncidentUpdateEmail, { incidentUpdateDoc } from '../../emails/incident-update.js';
import MaintenanceEmail, { maintenanceDoc } from '../../emails/maintenance.js';
import PostmortemEmail, { postmortemDoc } from '../../emails/postmortem.js';
import ReplyForwardEmail, { replyForwardDoc } from '../../emails/reply-forward.js';
import type { schemas } from './schemas.js';

export type TemplateName = keyof typeof schemas;

/** Recipient fields of customer-facing templates, in slot order. */
export const customerRecipientFields = [
  'customerName',
  'contactName',
  'unsubscribeUrl',
  'reason',
  'accountManager',
] as const;
export type RecipientField = (typeof customerRecipientFields)[number];

// biome-ignore lint/suspicious/noExplicitAny: props are validated by the template's schema first
type AnyProps = any;

export interface TemplateDefinition {
  name: TemplateName;
  component: ComponentType<AnyProps>;
  /** The document both parts are written from (also gives the subject). */
  doc: (props: AnyProps) => EmailDoc;
  /** Fields that differ per recipient; empty for mail to one staff member. */
  recipientFields: readonly RecipientField[];
  /** Whether the segment's variant changes the copy. */
  variants: readonly Variant[];
  previewProps: Record<string, unknown>;
  /** The `subject` prop is the template's own content, not a version-subject override. */
  ownsSubject?: boolean;
}

const customer = (
  name: TemplateName,
  component: ComponentType<AnyProps> & { PreviewProps: object },
  doc: (props: AnyProps) => EmailDoc,
  withVariants = true,
): TemplateDefinition => ({
  name,
  component,
  doc,
  recipientFields: customerRecipientFields,
  variants: withVariants ? variants : ['affected'],
  previewProps: component.PreviewProps as Record<string, unknown>,
});

const staff = (
  name: TemplateName,
  component: ComponentType<AnyProps> & { PreviewProps: object },
  doc: (props: AnyProps) => EmailDoc,
): TemplateDefinition => ({
  name,
  component,
  doc,
  recipientFields: [],
  variants: ['affected'],
  previewProps: component.PreviewProps as Record<string, unknown>,
});

/** Every template a communication version may name, keyed by `communication_versions.template`. */
export const registry: Record<TemplateName, TemplateDefinition> = {
  'incident-notice': customer('incident-notice', IncidentNoticeEmail, incidentNoticeDoc),
  'incident-update': customer('incident-update', IncidentUpdateEmail, incidentUpdateDoc),
  'incident-resolved': customer('incident-resolved', IncidentResolvedEmail, incidentResolvedDoc),
  postmortem: customer('postmortem', PostmortemEmail, postmortemDoc),
  maintenance: customer('maintenance', MaintenanceEmail, maintenanceDoc),
  // The letter is the executive's own words for everyone; variants would put words in their mouth.
  'executive-apology': {
    ...customer('executive-apology', ExecutiveApologyEmail, executiveApologyDoc, false),
    ownsSubject: true,
  },
  'approval-request': {
    ...staff('approval-request', ApprovalRequestEmail, approvalRequestDoc),
    ownsSubject: true,
  },
  'reply-forward': staff('reply-forward', ReplyForwardEmail, replyForwardDoc),
};

export const templateNames = Object.keys(registry) as TemplateName[];

export function isTemplateName(name: string): name is TemplateName {
  return Object.hasOwn(registry, name);
}

/**
 * The variant a segment's `template` field selects. Accepts the bare variant (`affected-enterprise`)
 * or a template-qualified one (`incident-notice:affected-enterprise`, `…/…`); anything else,
 * including a missing field, is the concise `affected` copy.
 */
export function resolveVariant(segmentTemplate: string | null | undefined): Variant {
  const last = segmentTemplate?.trim().split(/[:/]/).at(-1)?.toLowerCase();
  return (variants as readonly string[]).includes(last ?? '') ? (last as Variant) : 'affected';
}
