import type { EmailDoc } from './components/document.js';
import { EmailDocument } from './components/email-document.js';
import { messagesFor, resolveLocale } from './i18n/index.js';

export interface ApprovalRequestEmailProps {
  /** The executive who must approve. */
  executiveName: string;
  /** Who prepared the e-mail, e.g. "Sam from Communications". */
  requesterName: string;
  /** Subject of the e-mail awaiting approval. */
  subject: string;
  /** The opening of the e-mail, so the executive sees what they approve before clicking. */
  excerpt: string;
  recipients: number;
  /** Single-use, expiring approval link. */
  approvalUrl: string;
  /** ISO 8601 expiry of the link. */
  expiresAt: string;
  companyName: string;
  lang?: string;
}

export function approvalRequestDoc(props: ApprovalRequestEmailProps): EmailDoc {
  const t = messagesFor(props.lang);
  return {
    lang: resolveLocale(props.lang),
    subject: t.approval.subject(props.subject),
    preview: t.approval.preview,
    layout: 'card',
    eyebrow: props.companyName,
    title: props.subject,
    blocks: [
      { kind: 'p', text: t.approval.greeting(props.executiveName) },
      {
        kind: 'p',
        text: `${t.approval.intro(props.requesterName)} ${t.approval.recipients(props.recipients)}`,
      },
      { kind: 'details', rows: [[t.approval.subjectLabel, props.subject]] },
      { kind: 'quote', text: props.excerpt },
      { kind: 'button', label: t.approval.button, url: props.approvalUrl },
      { kind: 'p', text: t.approval.expires(t.formatTime(props.expiresAt)) },
    ],
    closing: [],
    footer: { reason: t.approval.footer },
  };
}

/** Asks an executive to approve the exact text that will go out under their name. */
export function ApprovalRequestEmail(props: ApprovalRequestEmailProps) {
  return <EmailDocument doc={approvalRequestDoc(props)} />;
}

ApprovalRequestEmail.PreviewProps = {
  executiveName: 'Jordan',
  requesterName: 'Sam Rivera',
  subject: 'About the outages of the past two weeks',
  excerpt:
    'Over the past two weeks, our help desk stopped working for you sixteen times. Each time it was only a few minutes, but you often heard about it from your own customers before you heard from us.',
  recipients: 412,
  approvalUrl: 'https://candor.acme.example/approve/apr_01example.signature',
  expiresAt: '2017-05-26T18:00:00Z',
  companyName: 'Acme',
} satisfies ApprovalRequestEmailProps;

export default ApprovalRequestEmail;
