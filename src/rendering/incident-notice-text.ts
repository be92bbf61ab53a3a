import {
  formatTime,
  greeting,
  listPhrase,
  paragraphs,
  severityPhrases,
  statusExplanations,
  statusLabels,
} from '../../emails/components/wording.js';
import type { IncidentNoticeEmailProps } from '../../emails/incident-notice.js';

/**
 * The text/plain part, written by hand rather than converted from the HTML: converters upper-case
 * headings, glue the status badge onto its sentence and put punctuation after bare URLs, which then
 * breaks the link in some clients. Lines are not hard-wrapped; quoted-printable encoding keeps them
 * within the SMTP limit and mobile clients reflow them better unwrapped.
 */
export function incidentNoticeText(props: IncidentNoticeEmailProps): string {
  const lines: string[] = [];
  const block = (...text: string[]) => lines.push(...text, '');
  block(`${props.companyName} incident update: ${props.title}`);
  block(greeting(props.contactName, props.customerName));
  block(`Status: ${statusLabels[props.status]}. ${statusExplanations[props.status]}`);
  for (const paragraph of paragraphs(props.message)) block(paragraph);

  const details = [`Impact: ${severityPhrases[props.severity]}`];
  if (props.components.length > 0) details.push(`Affected: ${listPhrase(props.components)}`);
  if (props.regions.length > 0) details.push(`Where: ${listPhrase(props.regions)}`);
  details.push(`Started: ${formatTime(props.startedAt)}`);
  if (props.updatedAt) details.push(`This update: ${formatTime(props.updatedAt)}`);
  block(...details);

  if (props.statusPageUrl) block('Live updates:', props.statusPageUrl);
  block(
    props.status === 'resolved' ? 'We are sorry for the trouble.' : 'We will write again when we know more.',
    `The ${props.companyName} team`,
  );
  // "-- " (with the space) is the signature separator clients recognise and fold away in replies.
  lines.push(
    '-- ',
    props.reason,
    `You can reply to this e-mail; a person at ${props.companyName} reads every reply.`,
  );
  lines.push('', 'Unsubscribe from incident e-mails:', props.unsubscribeUrl, '');
  return lines.join('\n');
}
