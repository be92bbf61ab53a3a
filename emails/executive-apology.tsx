import { catalogueOf } from './components/customer.js';
import type { EmailDoc } from './components/document.js';
import { EmailDocument } from './components/email-document.js';
import type { CustomerEmailProps } from './components/wording.js';
import { resolveLocale } from './i18n/index.js';

export interface ExecutiveApologyEmailProps extends CustomerEmailProps {
  /** The letter, in Markdown, as the executive approved it. Raw HTML and images are not rendered. */
  body: string;
  sender: {
    name: string;
    title: string;
    /** Closing line(s) above the name, e.g. "Warm regards,"; several lines allowed. */
    signature?: string;
  };
  /** Subject as approved; the catalogue's "A personal note from …" when omitted. */
  subject?: string;
}

export function executiveApologyDoc(props: ExecutiveApologyEmailProps): EmailDoc {
  const t = catalogueOf(props);
  const { sender } = props;
  const greeting = props.contactName
    ? t.apology.greeting(props.contactName)
    : t.apology.greetingTeam(props.customerName);
  return {
    lang: resolveLocale(props.lang),
    subject: props.subject ?? t.apology.subject(sender.name),
    preview: t.apology.preview(sender.name),
    layout: 'letter',
    blocks: [
      { kind: 'p', text: greeting },
      { kind: 'markdown', source: props.body },
    ],
    closing: [
      ...(sender.signature ? [sender.signature] : []),
      sender.name,
      `${sender.title}, ${props.companyName}`,
    ],
    footer: {
      reason: props.reason ?? t.apology.footer(props.companyName),
      unsubscribe: { label: t.apology.unsubscribe, url: props.unsubscribeUrl },
    },
  };
}

/**
 * A personal letter from an executive: no banner, no card, no marketing layout — the executive's
 * words, name, title and signature.
 */
export function ExecutiveApologyEmail(props: ExecutiveApologyEmailProps) {
  return <EmailDocument doc={executiveApologyDoc(props)} />;
}

ExecutiveApologyEmail.PreviewProps = {
  body: `Over the past two weeks, our help desk stopped working for you sixteen times. Each time it was only a few minutes, but you often heard about it from your own customers before you heard from us. That is not good enough, and I am sorry.

The problem was ours to prevent. A part of our system froze and took far too long to recover, and we did not tell you quickly or clearly enough.

Here is what we have changed:

- Recovery now takes seconds, not minutes.
- Every disruption appears on [our status page](https://status.acme.example) as it happens.
- An independent monitor checks the help desk from outside every minute.

If you have anything to tell me, reply to this e-mail. It comes to me, and I read every answer.`,
  sender: { name: 'Jordan Lee', title: 'CEO', signature: 'With apologies,' },
  companyName: 'Acme',
  customerName: 'Globex',
  contactName: 'Dana',
  unsubscribeUrl: 'https://candor.acme.example/u/ct_01example.signature',
} satisfies ExecutiveApologyEmailProps;

export default ExecutiveApologyEmail;
