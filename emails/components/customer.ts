import { type Messages, messagesFor, resolveLocale } from '../i18n/index.js';
import type { Block, EmailDoc } from './document.js';
import { type CustomerEmailProps, paragraphs, type Variant } from './wording.js';

export interface CustomerDocParts {
  subject: string;
  preview: string;
  eyebrow: string;
  title: string;
  /** The template's own content, between the greeting and the variant's notes. */
  blocks: Block[];
  /** Closing sentence(s) before the signature. */
  closing: string[];
  /** Whether the enterprise variant states the SLA consequence (not for planned maintenance). */
  sla: boolean;
}

export function catalogueOf(props: Pick<CustomerEmailProps, 'lang'>): Messages {
  return messagesFor(props.lang);
}

export function variantOf(props: Pick<CustomerEmailProps, 'variant'>): Variant {
  return props.variant ?? 'affected';
}

/** Text with blank lines between paragraphs, as one paragraph block each. */
export function paragraphBlocks(text: string): Block[] {
  return paragraphs(text).map((p): Block => ({ kind: 'p', text: p }));
}

/** "Hello Dana," or, without a contact name, "Hello Globex team,". */
export function greetingOf(t: Messages, props: CustomerEmailProps): string {
  return props.contactName ? t.common.greeting(props.contactName) : t.common.greetingTeam(props.customerName);
}

/**
 * Wraps a template's content in what every customer e-mail has: greeting, the variant's notes (the
 * FYI line for unaffected customers; the SLA consequence and the named contact person for enterprise
 * accounts), the status page, the signature and the footer that says why the mail came.
 */
export function customerDoc(t: Messages, props: CustomerEmailProps, parts: CustomerDocParts): EmailDoc {
  const variant = variantOf(props);
  const blocks: Block[] = [{ kind: 'p', text: greetingOf(t, props) }];
  if (variant === 'unaffected') blocks.push({ kind: 'p', text: t.variant.unaffected(props.customerName) });
  blocks.push(...parts.blocks);
  if (variant === 'affected-enterprise') {
    blocks.push({ kind: 'h', text: t.variant.slaHeading });
    if (parts.sla) blocks.push({ kind: 'p', text: t.variant.sla });
    blocks.push({
      kind: 'p',
      text: props.accountManager ? t.variant.accountManager(props.accountManager) : t.variant.accountTeam,
    });
  }
  if (props.statusPageUrl)
    blocks.push({ kind: 'link', label: t.common.liveUpdates, url: props.statusPageUrl });
  return {
    lang: resolveLocale(props.lang),
    subject: parts.subject,
    preview: parts.preview,
    layout: 'card',
    eyebrow: parts.eyebrow,
    title: parts.title,
    blocks,
    closing: [...parts.closing, t.common.signoffTeam(props.companyName)],
    footer: {
      reason: props.reason ?? t.reason[variant](props.customerName, props.companyName),
      note: t.common.replyNote(props.companyName),
      unsubscribe: { label: t.common.unsubscribe, url: props.unsubscribeUrl },
    },
  };
}
