import type { EmailDoc } from './components/document.js';
import { EmailDocument } from './components/email-document.js';
import { type IncidentNoticeEmailProps, incidentDoc } from './incident-notice.js';

/** An update carries the same facts as a notice; only the framing ("where things stand now") differs. */
export type IncidentUpdateEmailProps = IncidentNoticeEmailProps;

export function incidentUpdateDoc(props: IncidentUpdateEmailProps): EmailDoc {
  return incidentDoc(props, (t) => ({
    eyebrow: t.update.eyebrow(props.companyName),
    intro: [{ kind: 'p', text: t.update.intro }],
  }));
}

/** A further word during an incident, threaded under the first notice. */
export function IncidentUpdateEmail(props: IncidentUpdateEmailProps) {
  return <EmailDocument doc={incidentUpdateDoc(props)} />;
}

IncidentUpdateEmail.PreviewProps = {
  title: 'Errors loading the help desk',
  status: 'identified',
  severity: 'major',
  message:
    'We found why the help desk would not load: one of our systems stopped answering and took several minutes to be replaced. We are making the switch-over faster so this cannot drag on again.',
  components: ['Help desk'],
  regions: ['United States'],
  startedAt: '2017-05-15T14:00:00Z',
  updatedAt: '2017-05-15T14:20:00Z',
  companyName: 'Acme',
  statusPageUrl: 'https://status.acme.example/',
  customerName: 'Globex',
  contactName: 'Dana',
  unsubscribeUrl: 'https://candor.acme.example/u/ct_01example.signature',
} satisfies IncidentUpdateEmailProps;

export default IncidentUpdateEmail;
