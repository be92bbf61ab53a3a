import MailComposer, { type MailComposerOptions } from 'nodemailer/lib/mail-composer';
import type { OutgoingEmail } from './transport.js';

/** Headers nodemailer sets from its own options; passing them twice would duplicate them. */
const ownHeaders = new Set(['message-id', 'date', 'from', 'to', 'reply-to', 'subject']);

function findHeader(headers: Record<string, string>, name: string): string | undefined {
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  return key === undefined ? undefined : headers[key];
}

/**
 * nodemailer options for one e-mail. Candor's own Message-ID is kept (threading and reply matching
 * depend on it) and file/URL access is off: content comes from templates and staff, and must never
 * make the worker read a local file or fetch a URL.
 */
export function toMailOptions(email: OutgoingEmail, date: Date): MailComposerOptions {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(email.headers)) {
    if (/[\r\n]/.test(name) || /[\r\n]/.test(value)) throw new Error(`header ${name} contains a line break`);
    if (!ownHeaders.has(name.toLowerCase())) headers[name] = value;
  }
  return {
    from: email.from,
    to: email.to,
    replyTo: email.replyTo,
    subject: email.subject,
    text: email.text,
    html: email.html,
    messageId: findHeader(email.headers, 'message-id'),
    date,
    headers,
    disableFileAccess: true,
    disableUrlAccess: true,
  };
}

/** The complete RFC 5322 message (headers and multipart/alternative body) as nodemailer would send it. */
export async function buildMime(email: OutgoingEmail, date: Date = new Date()): Promise<string> {
  const message = await new MailComposer(toMailOptions(email, date)).compile().build();
  return message.toString('utf8');
}
