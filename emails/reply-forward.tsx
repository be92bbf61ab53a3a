import type { EmailDoc } from './components/document.js';
import { EmailDocument } from './components/email-document.js';
import { messagesFor, resolveLocale } from './i18n/index.js';

export interface ReplyForwardEmailProps {
  /** The customer's company and the person who wrote. */
  customerName: string;
  contactName: string;
  contactEmail: string;
  /** Subject of the letter they answered. */
  originalSubject: string;
  /** Their reply with quoted text and signatures already stripped. */
  replyText: string;
  /** ISO 8601. */
  receivedAt: string;
  /** The replies inbox in Candor, if the executive wants to see all of them. */
  inboxUrl?: string;
  companyName: string;
  lang?: string;
}

export function replyForwardDoc(props: ReplyForwardEmailProps): EmailDoc {
  const t = messagesFor(props.lang);
  return {
    lang: resolveLocale(props.lang),
    subject: t.replyForward.subject(props.customerName, props.originalSubject),
    preview: t.replyForward.preview(props.contactName),
    layout: 'letter',
    blocks: [
      { kind: 'p', text: t.replyForward.intro(props.contactName, props.customerName) },
      { kind: 'quote', text: props.replyText },
      { kind: 'details', rows: [[t.replyForward.received, t.formatTime(props.receivedAt)]] },
      { kind: 'p', text: t.replyForward.answer(props.contactEmail) },
      ...(props.inboxUrl
        ? [{ kind: 'link' as const, label: `${t.replyForward.inbox}:`, url: props.inboxUrl }]
        : []),
    ],
    closing: [],
    footer: { reason: t.replyForward.footer },
  };
}

/** A customer's reply to an executive's letter, forwarded to the executive's own inbox. */
export function ReplyForwardEmail(props: ReplyForwardEmailProps) {
  return <EmailDocument doc={replyForwardDoc(props)} />;
}

ReplyForwardEmail.PreviewProps = {
  customerName: 'Globex',
  contactName: 'Dana Whitfield',
  contactEmail: 'dana@globex.example',
  originalSubject: 'About the outages of the past two weeks',
  replyText:
    'Thank you for writing this yourself. The status page helps a lot; please keep it up to date.\n\nOne question: will the independent monitor be public?',
  receivedAt: '2017-05-27T09:14:00Z',
  inboxUrl: 'https://candor.acme.example/replies',
  companyName: 'Acme',
} satisfies ReplyForwardEmailProps;

export default ReplyForwardEmail;
