import { catalogueOf, customerDoc } from './components/customer.js';
import type { Block, EmailDoc } from './components/document.js';
import { EmailDocument } from './components/email-document.js';
import { type CustomerEmailProps, clip, type MaintenancePhase, paragraphs } from './components/wording.js';

export interface MaintenanceEmailProps extends CustomerEmailProps {
  title: string;
  phase: MaintenancePhase;
  /** What will change for customers during the window; blank lines separate paragraphs. */
  message: string;
  /** ISO 8601 window; shown in UTC. */
  windowStart: string;
  windowEnd: string;
  components: string[];
  regions: string[];
}

export function maintenanceDoc(props: MaintenanceEmailProps): EmailDoc {
  const t = catalogueOf(props);
  const { phase } = props;
  const rows: [string, string][] = [
    [
      t.maintenance.window,
      t.maintenance.windowValue(t.formatTime(props.windowStart), t.formatTime(props.windowEnd)),
    ],
  ];
  if (props.components.length > 0) rows.push([t.common.affected, t.list(props.components)]);
  if (props.regions.length > 0) rows.push([t.common.where, t.list(props.regions)]);
  const message = paragraphs(props.message);
  return customerDoc(t, props, {
    subject: t.maintenance.subject(props.companyName, props.title),
    preview: clip(`${t.maintenance.phase[phase]}: ${message[0] ?? t.maintenance.phaseExplanation[phase]}`),
    eyebrow: t.maintenance.eyebrow(props.companyName),
    title: props.title,
    blocks: [
      {
        kind: 'status',
        tone: 'maintenance',
        label: t.maintenance.phase[phase],
        explanation: t.maintenance.phaseExplanation[phase],
      },
      ...message.map((text): Block => ({ kind: 'p', text })),
      { kind: 'details', rows },
    ],
    closing: [t.maintenance.closing],
    // Planned maintenance is announced ahead and does not count against the SLA.
    sla: false,
  });
}

/** Planned work: announced ahead, started, completed — one thread per maintenance window. */
export function MaintenanceEmail(props: MaintenanceEmailProps) {
  return <EmailDocument doc={maintenanceDoc(props)} />;
}

MaintenanceEmail.PreviewProps = {
  title: 'Faster search in the help desk',
  phase: 'scheduled',
  message:
    'We are moving search to new servers. During the window, search may be slow for up to ten minutes; everything else works as usual.',
  windowStart: '2017-05-20T06:00:00Z',
  windowEnd: '2017-05-20T07:00:00Z',
  components: ['Search'],
  regions: ['United States'],
  companyName: 'Acme',
  statusPageUrl: 'https://status.acme.example/',
  customerName: 'Globex',
  contactName: 'Dana',
  unsubscribeUrl: 'https://candor.acme.example/u/ct_01example.signature',
} satisfies MaintenanceEmailProps;

export default MaintenanceEmail;
