import { Heading, Hr, Link, Section, Text } from '@react-email/components';
import { EmailFooter } from './components/footer.js';
import { EmailLayout } from './components/layout.js';
import { StatusLine } from './components/status-line.js';
import { colors, linkStyle, mutedStyle, textStyle } from './components/theme.js';
import {
  formatTime,
  greeting,
  type IncidentSeverity,
  type IncidentStatus,
  listPhrase,
  paragraphs,
  severityPhrases,
  statusLabels,
} from './components/wording.js';

export interface IncidentNoticeEmailProps {
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
  /** The sending company, e.g. "Acme". */
  companyName: string;
  statusPageUrl?: string;
  /** The recipient's company. */
  customerName: string;
  contactName?: string;
  unsubscribeUrl: string;
  /** One sentence: "You get this because …". */
  reason: string;
  /** BCP 47 language tag of the copy; default "en". */
  lang?: string;
}

/** Inbox preview line: the status first, because the subject stays the same for a whole incident. */
export function incidentNoticePreview(props: Pick<IncidentNoticeEmailProps, 'status' | 'message'>): string {
  const first = paragraphs(props.message)[0] ?? '';
  const line = `${statusLabels[props.status]}: ${first.replace(/\s+/g, ' ')}`;
  return line.length > 140 ? `${line.slice(0, 139).trimEnd()}…` : line;
}

const detailLabel = { ...mutedStyle, margin: '0 0 4px' };

export function IncidentNoticeEmail(props: IncidentNoticeEmailProps) {
  const { title, status, severity, message, components, regions, companyName, statusPageUrl } = props;
  return (
    <EmailLayout
      lang={props.lang ?? 'en'}
      preview={incidentNoticePreview(props)}
      footer={
        <EmailFooter reason={props.reason} unsubscribeUrl={props.unsubscribeUrl} companyName={companyName} />
      }
    >
      <Text className="cd-muted" style={{ ...mutedStyle, margin: '0 0 4px' }}>
        {companyName} incident update
      </Text>
      <Heading
        as="h1"
        className="cd-text"
        style={{ color: colors.text, fontSize: '22px', lineHeight: '30px', margin: '0 0 20px' }}
      >
        {title}
      </Heading>
      <Text className="cd-text" style={textStyle}>
        {greeting(props.contactName, props.customerName)}
      </Text>
      <StatusLine status={status} />
      {paragraphs(message).map((paragraph) => (
        <Text key={paragraph} className="cd-text" style={{ ...textStyle, whiteSpace: 'pre-line' }}>
          {paragraph}
        </Text>
      ))}
      <Hr className="cd-rule" style={{ borderColor: colors.border, margin: '24px 0 16px' }} />
      <Section>
        <Text className="cd-muted" style={detailLabel}>
          <strong>Impact:</strong> {severityPhrases[severity]}
        </Text>
        {components.length > 0 ? (
          <Text className="cd-muted" style={detailLabel}>
            <strong>Affected:</strong> {listPhrase(components)}
          </Text>
        ) : null}
        {regions.length > 0 ? (
          <Text className="cd-muted" style={detailLabel}>
            <strong>Where:</strong> {listPhrase(regions)}
          </Text>
        ) : null}
        <Text className="cd-muted" style={detailLabel}>
          <strong>Started:</strong> {formatTime(props.startedAt)}
        </Text>
        {props.updatedAt ? (
          <Text className="cd-muted" style={detailLabel}>
            <strong>This update:</strong> {formatTime(props.updatedAt)}
          </Text>
        ) : null}
      </Section>
      {statusPageUrl ? (
        <Text className="cd-text" style={{ ...textStyle, margin: '16px 0' }}>
          Live updates:{' '}
          <Link className="cd-link" href={statusPageUrl} style={linkStyle}>
            {statusPageUrl.replace(/^https?:\/\//, '')}
          </Link>
        </Text>
      ) : null}
      <Text className="cd-text" style={{ ...textStyle, margin: '16px 0 0' }}>
        {status === 'resolved'
          ? `We are sorry for the trouble. — The ${companyName} team`
          : `We will write again when we know more. — The ${companyName} team`}
      </Text>
    </EmailLayout>
  );
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
  statusPageUrl: 'https://status.acme.example',
  customerName: 'Globex',
  contactName: 'Dana',
  unsubscribeUrl: 'https://candor.acme.example/u/ct_01example.signature',
  reason:
    'You get this because you are a contact for Globex, which uses the Acme help desk in the US region.',
} satisfies IncidentNoticeEmailProps;

export default IncidentNoticeEmail;
