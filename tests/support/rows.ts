import type { Db } from '../../src/db/client.js';
import { newId } from '../../src/db/ids.js';
import { communications, incidents } from '../../src/db/schema.js';

/** An incident with one notice communication in `sending`: what message rows of a test hang off. */
export async function sendingCommunication(db: Db): Promise<{ incidentId: string; communicationId: string }> {
  const incidentId = newId('inc');
  await db.insert(incidents).values({
    id: incidentId,
    source: 'test',
    ref: incidentId,
    title: 'Errors loading the help desk',
    severity: 'major',
    status: 'investigating',
    startedAt: new Date('2017-05-15T14:00:00Z'),
  });
  const communicationId = newId('com');
  await db.insert(communications).values({
    id: communicationId,
    incidentId,
    kind: 'notice',
    segment: 'affected',
    status: 'sending',
    from: 'Acme Status <status@acme.example>',
  });
  return { incidentId, communicationId };
}
