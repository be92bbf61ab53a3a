import { domainOf } from '../config.js';
import type { communications, communicationVersions } from '../db/schema.js';
import type { AppDeps } from '../deps.js';
import { formatMessageId, replyAddress } from '../rendering/headers.js';
import { renderCommunication } from '../rendering/render.js';
import { replyToken, unsubscribeToken } from './tokens.js';
import type { OutgoingEmail } from './transports/transport.js';

export interface ComposeInput {
  communication: typeof communications.$inferSelect;
  version: typeof communicationVersions.$inferSelect;
  recipient: {
    messageId: string;
    email: string;
    messageIdHeader: string;
    contactId: string;
    contactName: string | null;
    customerName: string;
  };
}

function displayName(mailbox: string): string {
  return mailbox.match(/^\s*"?([^"<]*?)"?\s*</)?.[1]?.trim() ?? '';
}

/**
 * Everything one recipient gets: the rendered version, a tracked Reply-To that keeps the sender's
 * name, a Message-ID of its own and one-click unsubscribe headers (RFC 8058).
 */
export async function composeEmail(
  deps: Pick<AppDeps, 'config' | 'signingSecret'>,
  { communication, version, recipient }: ComposeInput,
): Promise<OutgoingEmail> {
  const { config, signingSecret } = deps;
  const unsubscribeUrl = `${config.publicUrl}/u/${unsubscribeToken(signingSecret, recipient.contactId)}`;
  const rendered = await renderCommunication(version.template, {
    ...version.props,
    subject: version.subject,
    customerName: recipient.customerName,
    contactName: recipient.contactName ?? undefined,
    unsubscribeUrl,
  });
  const token = replyToken(signingSecret, recipient.messageId);
  const senderDomain = domainOf(communication.from);
  return {
    messageId: recipient.messageId,
    from: communication.from,
    to: recipient.email,
    replyTo: replyAddress({
      senderName: displayName(communication.from),
      token,
      replyDomain: config.replyDomain,
      localPart: 'reply',
    }),
    subject: version.subject,
    html: rendered.html,
    text: rendered.text,
    headers: {
      'Message-ID': formatMessageId(recipient.messageIdHeader.split('@')[0]!, senderDomain),
      'List-Unsubscribe': `<${unsubscribeUrl}>, <mailto:unsubscribe+${token}@${config.replyDomain}>`,
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    },
    tags: [
      { name: 'communication', value: communication.id },
      { name: 'message', value: recipient.messageId },
    ],
  };
}
