import { catalogueOf, customerDoc, paragraphBlocks } from './components/customer.js';
import type { Block, EmailDoc } from './components/document.js';
import { EmailDocument } from './components/email-document.js';
import {
  type CustomerEmailProps,
  clip,
  type IncidentSeverity,
  type IncidentStatus,
  paragraphs,
} from './components/wording.js';
import type { Messages } from './i18n/index.js';

export interface IncidentNoticeEmailProps extends CustomerEmailProps {
  /** The incident's title as customers should read it, e.g. "Errors loading the help desk". */
  title: string;
  status: IncidentStatus;
  severity: IncidentSeverity;
  /** The human-written update; blank lines separate paragraphs. */
  message: string;
  /** Affected parts of the product, in customer-facing names. */
  components: string[];
  regions: string[];
  /** ISO 8601; shown in UTC. */
  startedAt: string;
  /** ISO 8601 time of this update; omitted means "not shown". */
  updatedAt?: string;
}

/** Impact, scope and times: the facts block shared by notices and updates. */
function incidentFacts(t: Messages, props: IncidentNoticeEmailProps): Block {
  const rows: [string, string][] = [[t.common.impact, t.severity[props.severity]]];
  if (props.components.length > 0) rows.push([t.common.affected, t.list(props.components)]);
  if (props.regions.length > 0) rows.push([t.common.where, t.list(props.regions)]);
  rows.push([t.common.started, t.formatTime(props.startedAt)]);
  if (props.updatedAt) rows.push([t.common.thisUpdate, t.formatTime(props.updatedAt)]);
  return { kind: 'details', rows };
}

/** Inbox preview line: the status first, because the subject stays the same for a whole incident. */
function incidentPreview(t: Messages, props: Pick<IncidentNoticeEmailProps, 'status' | 'message'>) {
  return clip(
    `${t.status[props.status]}: ${paragraphs(props.message)[0] ?? t.statusExplanation[props.status]}`,
  );
}

/**
 * A notice and an update say the same things (status, the message, the facts); only the eyebrow and
 * an update's opening line ("where things stand now") differ.
 */
export function incidentDoc(
  props: IncidentNoticeEmailProps,
  framing: (t: Messages) => { eyebrow: string; intro: Block[] },
): EmailDoc {
  const t = catalogueOf(props);
  const { status } = props;
  const { eyebrow, intro } = framing(t);
  return customerDoc(t, props, {
    subject: t.incident.subject(props.companyName, props.title),
    preview: incidentPreview(t, props),
    eyebrow,
    title: props.title,
    blocks: [
      ...intro,
      { kind: 'status', tone: status, label: t.status[status], explanation: t.statusExplanation[status] },
      ...paragraphBlocks(props.message),
      { kind: 'rule' },
      incidentFacts(t, props),
    ],
    closing: [status === 'resolved' ? t.incident.sorry : t.common.writeAgain],
    sla: true,
  });
}

export function incidentNoticeDoc(props: IncidentNoticeEmailProps): EmailDoc {
  return incidentDoc(props, (t) => ({ eyebrow: t.incident.eyebrow(props.companyName), intro: [] }));
}

/** First word about an incident: investigating, cause found or fix in place. */
export function IncidentNoticeEmail(props: IncidentNoticeEmailProps) {
  return <EmailDocument doc={incidentNoticeDoc(props)} />;
}

IncidentNoticeEmail.PreviewProps = {
  title: 'Errors loading the help desk',
  status: 'investigating',
  severity: 'major',
  message:
    'Some customers in the US see errors when they open the help desk. Tickets and e-mails sent to you are not lost; they appear once the page loads again.\n\nWe are working on it now and will send the next update within 30 minutes.',
  components: ['Help desk', 'API'],
  regions: ['United States'],
  startedAt: '2017-05-15T14:00:00Z',
  updatedAt: '2017-05-15T14:08:00Z',
  companyName: 'Acme',
  statusPageUrl: 'https://status.acme.example/',
  customerName: 'Globex',
  contactName: 'Dana',
  unsubscribeUrl: 'https://candor.acme.example/u/ct_01example.signature',
  reason:
    'You get this because you are a contact for Globex, which uses the Acme help desk in the US region.',
} satisfies IncidentNoticeEmailProps;

export default IncidentNoticeEmail;
