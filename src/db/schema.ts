import { sql } from 'drizzle-orm';
import {
  bigserial,
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';

/**
 * The whole data model of DESIGN.md. Ids are prefixed, time-sortable strings (see `ids.ts`) so that
 * keyset pagination by id is also chronological and an id tells what it names.
 */

const createdAt = () => timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow();
const updatedAt = () => timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow();
const at = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
const textArray = (name: string) => text(name).array().notNull().default(sql`'{}'::text[]`);

export const incidents = pgTable(
  'incidents',
  {
    id: text('id').primaryKey(),
    source: text('source').notNull(),
    ref: text('ref').notNull(),
    kind: text('kind', { enum: ['incident', 'maintenance'] })
      .notNull()
      .default('incident'),
    title: text('title').notNull(),
    severity: text('severity', { enum: ['minor', 'major', 'critical'] }).notNull(),
    status: text('status').notNull(),
    components: textArray('components'),
    regions: textArray('regions'),
    startedAt: at('started_at').notNull(),
    resolvedAt: at('resolved_at'),
    /** What links repeated outages of one thing (e.g. `uptimerobot:<monitor id>`); null for one-offs. */
    seriesKey: text('series_key'),
    /** Id of the first incident of a flapping series (itself for the first); null outside a series. */
    seriesId: text('series_id'),
    /** 1 for the first disruption of a series, 2 for the next within the flap window, … */
    seriesPosition: integer('series_position'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('incidents_source_ref_key').on(t.source, t.ref),
    index('incidents_status_idx').on(t.status, t.id),
    index('incidents_series_key_idx').on(t.source, t.seriesKey, t.id),
  ],
);

/** Periods an incident was open; a reopened incident has several. Durations are summed from these. */
export const incidentWindows = pgTable(
  'incident_windows',
  {
    id: text('id').primaryKey(),
    incidentId: text('incident_id')
      .notNull()
      .references(() => incidents.id, { onDelete: 'cascade' }),
    startedAt: at('started_at').notNull(),
    endedAt: at('ended_at'),
  },
  (t) => [index('incident_windows_incident_idx').on(t.incidentId, t.startedAt)],
);

export const incidentEvents = pgTable(
  'incident_events',
  {
    id: text('id').primaryKey(),
    incidentId: text('incident_id')
      .notNull()
      .references(() => incidents.id),
    source: text('source').notNull(),
    eventId: text('event_id').notNull(),
    type: text('type').notNull(),
    occurredAt: at('occurred_at').notNull(),
    message: text('message'),
    payload: jsonb('payload').notNull(),
    /** The answer given when the event was accepted; a replay returns it unchanged. */
    response: jsonb('response'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('incident_events_source_event_id_key').on(t.source, t.eventId),
    index('incident_events_incident_idx').on(t.incidentId, t.occurredAt),
  ],
);

/** Stripe-style `Idempotency-Key` records, per caller. */
export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    principal: text('principal').notNull(),
    key: text('key').notNull(),
    requestHash: text('request_hash').notNull(),
    responseStatus: integer('response_status'),
    responseBody: jsonb('response_body'),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.principal, t.key] }),
    index('idempotency_keys_created_idx').on(t.createdAt),
  ],
);

export const customers = pgTable(
  'customers',
  {
    id: text('id').primaryKey(),
    ref: text('ref').notNull(),
    name: text('name').notNull(),
    tier: text('tier').notNull(),
    regions: textArray('regions'),
    components: textArray('components'),
    locale: text('locale'),
    attributes: jsonb('attributes').$type<Record<string, unknown>>().notNull().default(sql`'{}'::jsonb`),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('customers_ref_key').on(t.ref),
    index('customers_regions_idx').using('gin', t.regions),
    index('customers_components_idx').using('gin', t.components),
  ],
);

export const contacts = pgTable(
  'contacts',
  {
    id: text('id').primaryKey(),
    customerId: text('customer_id')
      .notNull()
      .references(() => customers.id, { onDelete: 'cascade' }),
    email: text('email').notNull(),
    name: text('name'),
    role: text('role'),
    locale: text('locale'),
    unsubscribedAt: at('unsubscribed_at'),
    /** Dropped from its customer's contact list but kept, because messages refer to it. */
    removedAt: at('removed_at'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('contacts_customer_email_key').on(t.customerId, t.email),
    index('contacts_email_idx').on(t.email),
  ],
);

export const suppressions = pgTable('suppressions', {
  email: text('email').primaryKey(),
  reason: text('reason').notNull(),
  source: text('source').notNull(),
  details: jsonb('details'),
  createdAt: createdAt(),
});

export const segments = pgTable('segments', {
  key: text('key').primaryKey(),
  name: text('name').notNull(),
  rule: jsonb('rule').notNull(),
  template: text('template'),
  sendPolicy: jsonb('send_policy'),
  /** Lower first: a contact belongs to the first segment (by priority) whose rule it matches. */
  priority: integer('priority').notNull().default(100),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

export const users = pgTable(
  'users',
  {
    id: text('id').primaryKey(),
    email: text('email').notNull(),
    name: text('name').notNull(),
    role: text('role', { enum: ['admin', 'comms', 'executive'] }).notNull(),
    passwordHash: text('password_hash').notNull(),
    sender: jsonb('sender').$type<{ name: string; email: string; title: string; signature?: string }>(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    disabledAt: at('disabled_at'),
  },
  (t) => [uniqueIndex('users_email_key').on(t.email)],
);

export const sessions = pgTable(
  'sessions',
  {
    sid: text('sid').primaryKey(),
    userId: text('user_id').references(() => users.id, { onDelete: 'cascade' }),
    data: jsonb('data').notNull(),
    expiresAt: at('expires_at').notNull(),
  },
  (t) => [index('sessions_expires_idx').on(t.expiresAt)],
);

export const apiKeys = pgTable(
  'api_keys',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    /** The first characters of the key, shown in lists so people can tell keys apart. */
    prefix: text('prefix').notNull(),
    keyHash: text('key_hash').notNull(),
    scopes: textArray('scopes'),
    createdBy: text('created_by'),
    createdAt: createdAt(),
    lastUsedAt: at('last_used_at'),
    revokedAt: at('revoked_at'),
  },
  (t) => [uniqueIndex('api_keys_key_hash_key').on(t.keyHash)],
);

export const communications = pgTable(
  'communications',
  {
    id: text('id').primaryKey(),
    incidentId: text('incident_id')
      .notNull()
      .references(() => incidents.id),
    /** The event that caused this communication, if any (automatic notices). */
    eventId: text('event_id'),
    kind: text('kind', {
      enum: ['notice', 'update', 'resolution', 'postmortem', 'maintenance', 'apology'],
    }).notNull(),
    segment: text('segment').notNull(),
    status: text('status', {
      enum: ['draft', 'pending_approval', 'approved', 'scheduled', 'sending', 'sent', 'cancelled'],
    }).notNull(),
    senderUserId: text('sender_user_id').references(() => users.id),
    from: text('from').notNull(),
    currentVersion: integer('current_version').notNull().default(1),
    /** Audience size when planned; the message count once the fan-out has run. */
    recipients: integer('recipients').notNull().default(0),
    sendAt: at('send_at'),
    fanoutEnqueuedAt: at('fanout_enqueued_at'),
    fanoutCompletedAt: at('fanout_completed_at'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('communications_incident_idx').on(t.incidentId, t.id),
    index('communications_status_send_at_idx').on(t.status, t.sendAt),
  ],
);

export const communicationVersions = pgTable(
  'communication_versions',
  {
    id: text('id').primaryKey(),
    communicationId: text('communication_id')
      .notNull()
      .references(() => communications.id, { onDelete: 'cascade' }),
    version: integer('version').notNull(),
    template: text('template').notNull(),
    subject: text('subject').notNull(),
    body: text('body'),
    props: jsonb('props').$type<Record<string, unknown>>().notNull(),
    contentHash: text('content_hash').notNull(),
    createdBy: text('created_by'),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('communication_versions_comm_version_key').on(t.communicationId, t.version)],
);

export const approvals = pgTable(
  'approvals',
  {
    id: text('id').primaryKey(),
    communicationId: text('communication_id')
      .notNull()
      .references(() => communications.id, { onDelete: 'cascade' }),
    version: integer('version').notNull(),
    approverUserId: text('approver_user_id').references(() => users.id),
    contentHash: text('content_hash').notNull(),
    decision: text('decision', { enum: ['approved', 'rejected'] }).notNull(),
    reason: text('reason'),
    createdAt: createdAt(),
  },
  (t) => [index('approvals_comm_idx').on(t.communicationId, t.version)],
);

/** The statuses staff move a reply through in the inbox. */
export const inboxStatuses = ['new', 'acknowledged', 'answered', 'closed'] as const;
/** A reply's status: `received` (stored, not yet analysed, so nobody sees it yet), then the inbox's. */
export const replyStatuses = ['received', ...inboxStatuses] as const;

/** A message waits `queued` in its batch until the provider's answer gives it a final state. */
export const messageStatuses = [
  'queued',
  'sent',
  'delivered',
  'delivery_delayed',
  'bounced',
  'complained',
  'failed',
  'suppressed',
  'needs_review',
] as const;
export type MessageStatus = (typeof messageStatuses)[number];

export const messages = pgTable(
  'messages',
  {
    id: text('id').primaryKey(),
    communicationId: text('communication_id')
      .notNull()
      .references(() => communications.id, { onDelete: 'cascade' }),
    contactId: text('contact_id')
      .notNull()
      .references(() => contacts.id),
    customerId: text('customer_id').notNull(),
    email: text('email').notNull(),
    status: text('status', { enum: messageStatuses }).notNull().default('queued'),
    /** Token in the per-message Reply-To address; ≥128 random bits, stored as its SHA-256. */
    replyTokenHash: text('reply_token_hash').notNull(),
    /** RFC 5322 Message-ID, without angle brackets. */
    messageIdHeader: text('message_id_header').notNull(),
    providerId: text('provider_id'),
    /** Id of the send job that claimed this message; a retry of that job may re-send it, no other job may. */
    sendBatchKey: text('send_batch_key'),
    attempts: integer('attempts').notNull().default(0),
    error: text('error'),
    sendingAt: at('sending_at'),
    sentAt: at('sent_at'),
    deliveredAt: at('delivered_at'),
    openedAt: at('opened_at'),
    repliedAt: at('replied_at'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('messages_comm_contact_key').on(t.communicationId, t.contactId),
    index('messages_contact_idx').on(t.contactId, t.id),
    // A hash index: lookups are by equality only, and a random 64-character key cost the B-tree ~3 µs a
    // fan-out row. Tokens are HMACs of unique message ids, so nothing relies on a unique constraint.
    index('messages_reply_token_idx').using('hash', t.replyTokenHash),
    // Every message row is written twice on its way out: born queued at fan-out, then its outcome. No
    // index covers a column the outcome writes (status, provider id, times), so that second write is a
    // HOT update that touches no index, on pages the migration leaves half free for it (fillfactor 50):
    // 28 → 9 µs of PostgreSQL CPU a row. Queued rows are found through their batch (below, and the
    // open `send_batches`), provider ids through `message_provider_ids`.
    index('messages_batch_idx').on(t.communicationId, t.sendBatchKey),
    index('messages_message_id_header_idx').on(t.messageIdHeader),
  ],
);

/**
 * The provider's id of each sent message, for matching its webhooks: kept out of `messages` so that an
 * index on it does not stop the outcome write from being HOT. Written in the outcome statement; never
 * changes. No foreign key: a message is never deleted while its webhooks matter, and the check would
 * cost every sent e-mail a probe.
 */
export const messageProviderIds = pgTable('message_provider_ids', {
  providerId: text('provider_id').primaryKey(),
  messageId: text('message_id').notNull(),
});

/**
 * One provider batch, frozen before its first attempt (version and per-recipient inputs, see
 * `BatchInputs`): a retry renders the same e-mails and sends them under the same key (the provider's
 * idempotency key), so a lost answer never becomes a second, different e-mail.
 */
export const sendBatches = pgTable(
  'send_batches',
  {
    key: text('key').primaryKey(),
    communicationId: text('communication_id')
      .notNull()
      .references(() => communications.id, { onDelete: 'cascade' }),
    messageIds: text('message_ids').array().notNull(),
    payload: jsonb('payload').notNull(),
    attempts: integer('attempts').notNull().default(0),
    firstAttemptAt: at('first_attempt_at').notNull().defaultNow(),
    completedAt: at('completed_at'),
  },
  (t) => [index('send_batches_open_idx').on(t.completedAt, t.firstAttemptAt)],
);

/** Finished MIME messages kept by the `outbox` transport, like a local mail catcher. */
export const outboxMessages = pgTable(
  'outbox_messages',
  {
    id: text('id').primaryKey(),
    messageId: text('message_id').references(() => messages.id, { onDelete: 'cascade' }),
    to: text('to').notNull(),
    from: text('from').notNull(),
    subject: text('subject').notNull(),
    mime: text('mime').notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('outbox_messages_message_key').on(t.messageId)],
);

export const deliveryEvents = pgTable(
  'delivery_events',
  {
    id: text('id').primaryKey(),
    providerEventId: text('provider_event_id').notNull(),
    messageId: text('message_id').references(() => messages.id, { onDelete: 'set null' }),
    type: text('type').notNull(),
    payload: jsonb('payload').notNull(),
    occurredAt: at('occurred_at').notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('delivery_events_provider_event_key').on(t.providerEventId)],
);

export const replies = pgTable(
  'replies',
  {
    id: text('id').primaryKey(),
    messageId: text('message_id').references(() => messages.id, { onDelete: 'set null' }),
    communicationId: text('communication_id'),
    incidentId: text('incident_id'),
    customerId: text('customer_id'),
    contactId: text('contact_id'),
    source: text('source').notNull(),
    fromAddress: text('from_address'),
    subject: text('subject'),
    text: text('text'),
    html: text('html'),
    raw: text('raw').notNull(),
    headers: jsonb('headers'),
    attachments: jsonb('attachments'),
    category: text('category'),
    status: text('status', { enum: replyStatuses }).notNull().default('received'),
    auto: boolean('auto').notNull().default(false),
    matched: boolean('matched').notNull().default(false),
    receivedAt: at('received_at').notNull().defaultNow(),
    createdAt: createdAt(),
  },
  (t) => [
    index('replies_incident_idx').on(t.incidentId, t.id),
    index('replies_communication_idx').on(t.communicationId, t.id),
  ],
);

export const auditLog = pgTable(
  'audit_log',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    at: timestamp('at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    actor: text('actor').notNull(),
    action: text('action').notNull(),
    subjectType: text('subject_type').notNull(),
    subjectId: text('subject_id').notNull(),
    details: jsonb('details').$type<Record<string, unknown>>().notNull().default(sql`'{}'::jsonb`),
  },
  (t) => [
    index('audit_log_subject_idx').on(t.subjectId, t.id),
    index('audit_log_action_idx').on(t.action, t.id),
  ],
);

/** Process-independent settings, e.g. the signing secret every replica must share. */
export const settings = pgTable('settings', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
  createdAt: createdAt(),
});
