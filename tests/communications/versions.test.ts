import { asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentHash, insertCommunications } from '../../src/communications/versions.js';
import { communications, communicationVersions } from '../../src/db/schema.js';
import { drivers } from '../support/database.js';
import { createTestDeps, type TestDeps } from '../support/deps.js';
import { insertIncident } from './harness.js';

describe.each(drivers)('insertCommunications (%s)', (driver) => {
  let deps: TestDeps;
  let incidentId: string;

  beforeAll(async () => {
    deps = await createTestDeps(driver);
    incidentId = await insertIncident(deps.database.db, 'versions');
  });
  afterAll(() => deps.close());

  it('stores every column of several communications and their first versions in one statement', async () => {
    const db = deps.database.db;
    const now = new Date('2026-11-24T20:00:00.123Z');
    const sendAt = new Date('2026-11-24T20:05:00Z');
    const props = { title: 'Errors', nested: { list: [1, 'two', null], quote: `"it's" \\ ü 🚀` } };
    const notice = { template: 'incident-notice', subject: 'Errors, "quoted"', body: null, props };
    const edited = {
      template: 'incident-update',
      subject: 'Update',
      body: 'Body,\nwith {braces}',
      props: {},
    };
    const ids = await insertCommunications(
      db,
      [
        {
          row: {
            incidentId,
            eventId: 'evt_1',
            kind: 'notice',
            segment: 'affected',
            status: 'scheduled',
            from: 'Acme Status <status@acme.example>',
            sendAt,
            recipients: 42,
          },
          content: notice,
        },
        {
          row: {
            incidentId,
            kind: 'update',
            segment: 'un,affected',
            status: 'draft',
            from: 'a@acme.example',
          },
          content: edited,
        },
      ],
      { createdBy: 'system', now },
    );
    expect(ids).toHaveLength(2);

    const rows = await db.select().from(communications).where(eq(communications.incidentId, incidentId));
    const byId = new Map(rows.map((r) => [r.id, r]));
    expect(byId.get(ids[0]!)).toMatchObject({
      eventId: 'evt_1',
      kind: 'notice',
      segment: 'affected',
      status: 'scheduled',
      senderUserId: null,
      from: 'Acme Status <status@acme.example>',
      currentVersion: 1,
      recipients: 42,
      sendAt,
      fanoutEnqueuedAt: null,
      createdAt: now,
      updatedAt: now,
    });
    expect(byId.get(ids[1]!)).toMatchObject({
      eventId: null,
      kind: 'update',
      segment: 'un,affected',
      status: 'draft',
      recipients: 0,
      sendAt: null,
    });

    const versions = await db
      .select()
      .from(communicationVersions)
      .where(eq(communicationVersions.communicationId, ids[0]!))
      .orderBy(asc(communicationVersions.version));
    expect(versions).toEqual([
      expect.objectContaining({
        version: 1,
        ...notice,
        contentHash: contentHash(notice),
        createdBy: 'system',
        createdAt: now,
      }),
    ]);
    const [second] = await db
      .select()
      .from(communicationVersions)
      .where(eq(communicationVersions.communicationId, ids[1]!));
    expect(second).toMatchObject({ ...edited, contentHash: contentHash(edited) });
  });
});
