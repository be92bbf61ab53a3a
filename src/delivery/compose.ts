import { personaliseApologyBody } from '../communications/drafting.js';
import { displayNameOf, domainOf } from '../config.js';
import type { communications, communicationVersions } from '../db/schema.js';
import type { AppDeps } from '../deps.js';
import { formatMessageId, replyAddress, threadingHeaders } from '../rendering/headers.js';
import { type VersionRenderer, versionRenderer } from '../rendering/render.js';
import { replyToken, unsubscribeToken } from './tokens.js';
import type { OutgoingEmail } from './transports/transport.js';

export interface ComposeRecipient {
  messageId: string;
  email: string;
  /** `messages.message_id_header`: `<id>@<domain>`, no angle brackets. */
  messageIdHeader: string;
  contactId: string;
  contactName: string | null;
  customerName: string;
  /** The contact's locale, else the customer's (`coalesce(contacts.locale, customers.locale)`). */
  locale?: string | null;
  /**
   * The segment's `template` field, which selects the copy variant (`affected-enterprise`, `affected`,
   * `unaffected`). Defaults to the communication's segment key, which may itself name a variant.
   */
  variant?: string | null;
  /** The account's contact person at the sender, named by the enterprise variant. */
  accountManager?: string | null;
  /**
   * Message-ID headers of e-mails already sent to this contact about the same incident, oldest first
   * (see `threadOf` in `threading.ts`), with or without angle brackets.
   */
  thread?: readonly string[];
  /** Apologies: this customer's own minutes of disruption, for the letter's `{{minutes_affected}}`. */
  minutesAffected?: number;
}

export interface ComposeInput {
  communication: typeof communications.$inferSelect;
  version: Version;
  recipient: ComposeRecipient;
}

const bracketed = (id: string) => `<${id.trim().replace(/^<|>$/g, '')}>`;

type Version = typeof communicationVersions.$inferSelect;

/** Versions never change, and a send reads each once per process, so one renderer serves all its batches. */
const renderers = new WeakMap<Version, VersionRenderer>();

function rendererOf(version: Version): VersionRenderer {
  let renderer = renderers.get(version);
  if (!renderer) {
    renderer = versionRenderer(version.template, { ...version.props, subject: version.subject });
    renderers.set(version, renderer);
  }
  return renderer;
}

/**
 * Everything one recipient gets: the rendered version in their language and segment variant, a
 * tracked Reply-To that keeps the sender's name, a Message-ID of its own, threading headers that put
 * every e-mail about one incident into one conversation, and one-click unsubscribe (RFC 8058).
 */
export async function composeEmail(
  deps: Pick<AppDeps, 'config' | 'signingSecret'>,
  { communication, version, recipient }: ComposeInput,
): Promise<OutgoingEmail> {
  const { config, signingSecret } = deps;
  const unsubscribeUrl = `${config.publicUrl}/u/${unsubscribeToken(signingSecret, recipient.contactId)}`;
  const recipientProps = {
    customerName: recipient.customerName,
    contactName: recipient.contactName ?? undefined,
    accountManager: recipient.accountManager ?? undefined,
    unsubscribeUrl,
  };
  const options = { variant: recipient.variant ?? communication.segment, locale: recipient.locale };
  const { body } = version.props;
  const minutesAffected = recipient.minutesAffected;
  const ownBody = typeof body === 'string' && minutesAffected !== undefined;
  const rendered = ownBody
    ? // An apology's body carries this customer's own minutes, so its shared content is their own.
      await versionRenderer(version.template, {
        ...version.props,
        body: personaliseApologyBody(body, { minutesAffected }),
        subject: version.subject,
      })(recipientProps, options)
    : await rendererOf(version)(recipientProps, options);
  const token = replyToken(signingSecret, recipient.messageId);
  const senderDomain = domainOf(communication.from);
  const messageId = formatMessageId(recipient.messageIdHeader.split('@')[0]!, senderDomain);
  // An executive's letter starts its own conversation; everything else joins the incident's thread.
  const thread = communication.kind === 'apology' ? [] : (recipient.thread ?? []).map(bracketed);
  return {
    messageId: recipient.messageId,
    from: communication.from,
    to: recipient.email,
    replyTo: replyAddress({
      senderName: displayNameOf(communication.from),
      token,
      replyDomain: config.replyDomain,
      localPart: 'reply',
    }),
    subject: rendered.subject,
    html: rendered.html,
    text: rendered.text,
    // A body of one recipient's own would be a provider template used once: sent finished instead.
    ...(rendered.templated && !ownBody ? { templated: rendered.templated } : {}),
    headers: {
      ...threadingHeaders(messageId, thread),
      'List-Unsubscribe': `<${unsubscribeUrl}>, <mailto:unsubscribe+${token}@${config.replyDomain}>`,
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    },
    tags: [
      { name: 'communication', value: communication.id },
      { name: 'message', value: recipient.messageId },
    ],
  };
}
