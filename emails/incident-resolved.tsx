import { catalogueOf, customerDoc, paragraphBlocks } from './components/customer.js';
import type { Block, EmailDoc } from './components/document.js';
import { EmailDocument } from './components/email-document.js';
import {
  type CustomerEmailProps,
  clip,
  type IncidentSeverity,
  minutesBetween,
} from './components/wording.js';

export interface IncidentResolvedEmailProps extends CustomerEmailProps {
  title: string;
  severity: IncidentSeverity;
  /** What happened, in plain words; blank lines separate paragraphs. */
  message: string;
  /** What we are doing so it does not happen again; optional. */
  nextSteps?: string;
  components: string[];
  regions: string[];
  /** ISO 8601 start and end; the duration is worked out from them. */
  startedAt: string;
  resolvedAt: string;
  /**
   * The notice was still in its hold window when the incident resolved, so this is the first and only
   * e-mail: it says so ("it was brief") instead of reading like a follow-up.
   */
  brief?: boolean;
}

export function incidentResolvedDoc(props: IncidentResolvedEmailProps): EmailDoc {
  const t = catalogueOf(props);
  const duration = t.duration(minutesBetween(props.startedAt, props.resolvedAt));
  const blocks: Block[] = [
    {
      kind: 'status',
      tone: 'resolved',
      label: t.status.resolved,
      explanation: t.statusExplanation.resolved,
    },
    {
      kind: 'p',
      text: props.brief
        ? t.resolved.brief(duration)
        : t.resolved.howLong(duration, t.formatTime(props.startedAt), t.formatTime(props.resolvedAt)),
    },
    { kind: 'h', text: t.resolved.whatHappened },
    ...paragraphBlocks(props.message),
  ];
  const next = paragraphBlocks(props.nextSteps ?? '');
  if (next.length > 0) blocks.push({ kind: 'h', text: t.resolved.whatWeDo }, ...next);
  const rows: [string, string][] = [];
  if (props.components.length > 0) rows.push([t.common.affected, t.list(props.components)]);
  if (props.regions.length > 0) rows.push([t.common.where, t.list(props.regions)]);
  rows.push(
    [t.common.started, t.formatTime(props.startedAt)],
    [t.common.ended, t.formatTime(props.resolvedAt)],
  );
  blocks.push({ kind: 'rule' }, { kind: 'details', rows });
  return customerDoc(t, props, {
    subject: t.incident.subject(props.companyName, props.title),
    preview: clip(t.resolved.preview(duration)),
    eyebrow: t.resolved.eyebrow(props.companyName),
    title: props.title,
    blocks,
    closing: [t.resolved.sorry],
    sla: true,
  });
}

/** The all-clear: what happened in plain words, how long it lasted and what we are doing about it. */
export function IncidentResolvedEmail(props: IncidentResolvedEmailProps) {
  return <EmailDocument doc={incidentResolvedDoc(props)} />;
}

IncidentResolvedEmail.PreviewProps = {
  title: 'Errors loading the help desk',
  severity: 'major',
  message:
    'For seven minutes, the help desk did not load for customers in the US. A part of our system stopped answering, and switching to its backup took far longer than it should have. No tickets or e-mails were lost.',
  nextSteps:
    'We are changing how we switch to the backup so that it takes seconds, not minutes, and we now watch for this exact problem so we see it before you do.',
  components: ['Help desk'],
  regions: ['United States'],
  startedAt: '2017-05-15T14:00:00Z',
  resolvedAt: '2017-05-15T14:07:00Z',
  companyName: 'Acme',
  statusPageUrl: 'https://status.acme.example/',
  customerName: 'Globex',
  contactName: 'Dana',
  unsubscribeUrl: 'https://candor.acme.example/u/ct_01example.signature',
} satisfies IncidentResolvedEmailProps;

export default IncidentResolvedEmail;
