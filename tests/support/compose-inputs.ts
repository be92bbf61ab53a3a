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
