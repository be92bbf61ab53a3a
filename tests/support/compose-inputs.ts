import type { ComposeInput } from '../../src/delivery/compose.js';

/** A notice communication row that is sending, as `composeEmail` gets it; `overrides` replace fields. */
export function sendingNotice(
  overrides: Partial<ComposeInput['communication']> = {},
): ComposeInput['communication'] {
  const now = new Date('2017-05-15T14:05:00Z');
  return {
    id: 'com_1',
    incidentId: 'inc_1',
    eventId: null,
    kind: 'notice',
    segment: 'affected',
    status: 'sending',
    senderUserId: null,
    from: 'Acme Status <status@acme.example>',
    currentVersion: 1,
    recipients: 1,
    sendAt: now,
    fanoutEnqueuedAt: null,
    fanoutCompletedAt: null,
    createdAt: now,
    updatedAt: now,
    ...overrides,
  };
}

/** The first version of an `incident-notice` with the given title and message. */
export function noticeVersion(
  title = 'Errors loading the help desk',
  message = 'We found the cause.',
): ComposeInput['version'] {
  return {
    id: 'ver_1',
    communicationId: 'com_1',
    version: 1,
    template: 'incident-notice',
    subject: `Acme incident: ${title}`,
    body: null,
    props: {
      title,
      status: 'identified',
      severity: 'major',
      message,
      startedAt: '2017-05-15T14:00:00Z',
      companyName: 'Acme',
    },
    contentHash: 'x',
    createdBy: 'system',
    createdAt: new Date('2017-05-15T14:05:00Z'),
  };
}
