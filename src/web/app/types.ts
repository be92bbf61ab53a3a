/** The API's answers as the UI reads them (see the OpenAPI document at /docs/json). */

export type Role = 'admin' | 'comms' | 'executive';

export interface User {
  id: string;
  email: string;
  role: Role;
  name: string;
}

export interface SessionAnswer {
  user: User;
  csrf_token: string;
}

export interface Bootstrap {
  session: SessionAnswer | null;
  transport: string;
  notice_hold_seconds: number;
}

export interface Page<T> {
  data: T[];
  next_cursor: string | null;
}

export type Counts = Record<string, number>;

export interface Incident {
  id: string;
  ref: string;
  title: string;
  severity: string;
  status: string;
  kind: string;
  components: string[];
  regions: string[];
  started_at: string;
  resolved_at: string | null;
  duration_seconds: number;
  series: { label: string } | null;
}

export interface CommunicationSummary {
  id: string;
  segment: string;
  kind: string;
  status: string;
  recipients: number;
  send_at: string | null;
  created_at: string;
  counts: Counts;
}

export interface IncidentDetail extends Incident {
  timeline: { id: string; type: string; occurred_at: string; message: string | null }[];
  communications: CommunicationSummary[];
}

export interface SegmentAudience {
  segment: string;
  name: string;
  customers: number;
  recipients: number;
  suppressed: number;
  notify: boolean;
}

export interface Sender {
  id: string;
  name: string;
  email: string;
  title: string | null;
}

export interface Communication extends CommunicationSummary {
  incident_id: string;
  from: string;
  sender: Sender | null;
  approval: {
    decision: 'approved' | 'rejected';
    version: number;
    reason: string | null;
    at: string;
  } | null;
  fanout_completed_at: string | null;
  current_version: {
    version: number;
    template: string;
    subject: string;
    body: string | null;
    content_hash: string;
    created_at: string;
  } | null;
}

export interface CommunicationListItem extends CommunicationSummary {
  incident_id: string;
  incident_title: string;
  from: string;
  sender: Sender | null;
  subject: string;
  version: number;
  updated_at: string;
}

export interface LintWarning {
  rule: string;
  severity: string;
  excerpt: string;
  suggestion: string;
}

export interface Preview {
  headers: Record<string, string | null>;
  html: string;
  text: string;
  placeholder_message_id: boolean;
  sample_recipient: boolean;
  contact: { id: string; email: string; name: string | null; customer: string };
  locale: string | null;
  variant: string;
  segment: string;
  contact_replied: boolean;
  warnings?: LintWarning[];
}

export interface Version {
  version: number;
  subject: string;
  body: string | null;
  content_hash: string;
  created_by: string | null;
  created_by_name?: string | null;
  created_at: string;
}

export interface Segment {
  key: string;
  name: string;
  rule: unknown;
  template: string | null;
  send_policy: Record<string, unknown> | null;
  priority: number;
  /** A default segment (cannot be deleted). */
  default: boolean;
}

export interface Customer {
  id: string;
  ref: string;
  name: string;
  tier: string;
  regions: string[];
  components: string[];
  locale: string | null;
  contacts: { email: string; name: string | null; role: string | null; unsubscribed_at?: string | null }[];
}

export interface Reply {
  id: string;
  message_id: string | null;
  communication_id: string | null;
  incident_id: string | null;
  from: string | null;
  subject: string | null;
  text: string | null;
  category: string | null;
  status: 'received' | 'new' | 'acknowledged' | 'answered' | 'closed';
  kind: string;
  auto: boolean;
  matched: boolean;
  received_at: string;
}

export interface OutboxItem {
  id: string;
  message_id: string | null;
  communication_id: string | null;
  to: string;
  from: string;
  subject: string;
  size: number;
  created_at: string;
}

export interface OutboxMessage extends OutboxItem {
  headers: { name: string; value: string }[];
  html: string | null;
  text: string | null;
  mime: string;
}

export interface ApiKey {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface StaffUser {
  id: string;
  email: string;
  name: string;
  role: Role;
  sender: { name: string; email: string; title: string } | null;
  created_at: string;
  disabled_at: string | null;
}
