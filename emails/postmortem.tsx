import { catalogueOf, customerDoc, paragraphBlocks } from './components/customer.js';
import type { Block, EmailDoc } from './components/document.js';
import { EmailDocument } from './components/email-document.js';
import { type CustomerEmailProps, minutesBetween } from './components/wording.js';

export interface PostmortemEmailProps extends CustomerEmailProps {
  title: string;
  /** A few sentences: what customers saw and for how long. */
  summary: string;
  /** What happened when; `at` is ISO 8601, shown in UTC. */
  timeline: { at: string; text: string }[];
  /** The cause in plain language: what broke, not whose product it was. */
  cause: string;
  /** Concrete changes, one per item. */
  changes: string[];
  startedAt: string;
  resolvedAt: string;
}

export function postmortemDoc(props: PostmortemEmailProps): EmailDoc {
  const t = catalogueOf(props);
  const duration = t.duration(minutesBetween(props.startedAt, props.resolvedAt));
  const blocks: Block[] = [
    { kind: 'h', text: t.postmortem.summary },
    ...paragraphBlocks(props.summary),
    {
      kind: 'details',
      rows: [
        [t.common.started, t.formatTime(props.startedAt)],
        [t.common.ended, t.formatTime(props.resolvedAt)],
        [t.common.duration, duration],
      ],
    },
  ];
  if (props.timeline.length > 0) {
    blocks.push(
      { kind: 'h', text: t.postmortem.timeline },
      { kind: 'list', items: props.timeline.map((e) => `${t.formatTime(e.at)}: ${e.text}`) },
    );
  }
  blocks.push({ kind: 'h', text: t.postmortem.cause }, ...paragraphBlocks(props.cause));
  if (props.changes.length > 0) {
    blocks.push({ kind: 'h', text: t.postmortem.changes }, { kind: 'list', items: props.changes });
  }
  return customerDoc(t, props, {
    subject: t.postmortem.subject(props.companyName, props.title),
    preview: t.postmortem.preview,
    eyebrow: t.postmortem.eyebrow(props.companyName),
    title: props.title,
    blocks,
    closing: [t.postmortem.closing],
    sla: true,
  });
}

/** The full account after an incident: summary, timeline, cause in plain language, what changes. */
export function PostmortemEmail(props: PostmortemEmailProps) {
  return <EmailDocument doc={postmortemDoc(props)} />;
}

PostmortemEmail.PreviewProps = {
  title: 'Errors loading the help desk',
  summary:
    'On 15 May, the help desk did not load for customers in the US for seven minutes. It was the third such disruption that week. No data was lost.',
  timeline: [
    { at: '2017-05-15T14:00:00Z', text: 'The help desk stops loading for customers in the US.' },
    { at: '2017-05-15T14:02:00Z', text: 'Our monitoring alerts the team; we start working on it.' },
    { at: '2017-05-15T14:07:00Z', text: 'The backup system takes over and the help desk loads again.' },
  ],
  cause:
    'A part of our system that stores account settings stopped answering. Our setup waited too long before switching to the backup, so a short freeze became a seven-minute outage.',
  changes: [
    'We switch to the backup within seconds instead of minutes.',
    'We added a check that spots this freeze and alerts us before customers notice.',
    'We publish every disruption on our status page as it happens.',
  ],
  startedAt: '2017-05-15T14:00:00Z',
  resolvedAt: '2017-05-15T14:07:00Z',
  companyName: 'Acme',
  statusPageUrl: 'https://status.acme.example/',
  customerName: 'Globex',
  contactName: 'Dana',
  unsubscribeUrl: 'https://candor.acme.example/u/ct_01example.signature',
} satisfies PostmortemEmailProps;

export default PostmortemEmail;
