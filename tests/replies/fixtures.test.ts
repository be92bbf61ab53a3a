import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messages, suppressions } from '../../src/db/schema.js';
import { drivers } from '../support/database.js';
import { auth } from '../support/fixtures.js';
import { fillPlaceholders, loadFixtures, type RepliesHarness, startRepliesHarness } from './harness.js';

const fixtures = loadFixtures();

describe('tests/fixtures/replies', () => {
  it('holds at least 30 real-client replies covering every kind the issue names', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(30);
    const clients = fixtures.map((f) => `${f.expect.client} ${f.expect.description}`).join('\n');
    for (const needle of [
      'Gmail',
      'Outlook',
      'Apple Mail',
      'Thunderbird',
      'iPhone',
      'German',
      'HTML-only',
      'quoted-printable',
      'ase64',
      'forward',
      'out-of-office',
      'DSN',
    ]) {
      expect(clients, needle).toContain(needle);
    }
    expect(new Set(fixtures.map((f) => f.expect.kind))).toEqual(
      new Set(['reply', 'auto_reply', 'bounce', 'unsubscribe']),
    );
  });
});

describe.each(drivers)('every fixture through POST /v1/inbound/mime (%s)', (driver) => {
  let h: RepliesHarness;
  beforeAll(async () => {
    h = await startRepliesHarness(driver, { ref: `fixtures-${driver}` });
  });
  afterAll(async () => h?.close());

  it.each(fixtures.map((f) => [f.name, f] as const))('%s', async (_name, fixture) => {
    const target = h.sent[0]!;
    const raw = fillPlaceholders(fixture.raw, target)
      .replaceAll('{{REPLY_TO_UPPER}}', target.replyAddress.toUpperCase())
      .replaceAll('{{REPLY_DOMAIN}}', h.deps.config.replyDomain);
    expect(raw).not.toMatch(/\{\{[A-Z_]+\}\}/);
    const response = await h.postMime(raw);
    expect(response.statusCode, response.body).toBe(202);
    const { reply_id, matched } = response.json();
    const want = fixture.expect;
    expect(matched).toBe(want.matched);
    const view = (
      await h.app.inject({ method: 'GET', url: `/v1/replies/${reply_id}`, headers: auth })
    ).json();
    expect(view).toMatchObject({ kind: want.kind, auto: want.auto, matched: want.matched });
    if (want.matched) expect(view.message_id).toBe(target.id);
    if (want.matched_by !== undefined) expect(view.matched_by).toBe(want.matched_by);
    if (want.category !== undefined) expect(view.category).toBe(want.category);
    for (const kept of want.keeps) expect(view.text).toContain(kept);
    for (const dropped of want.drops) expect(view.text).not.toContain(dropped);
    for (const attachment of want.attachments ?? [])
      expect(view.attachments).toContainEqual(expect.objectContaining(attachment));
    if (want.kind === 'bounce') {
      const [message] = await h.deps.database.db.select().from(messages).where(eq(messages.id, target.id));
      expect(message?.status).toBe('bounced');
      const suppressed = await h.deps.database.db
        .select()
        .from(suppressions)
        .where(eq(suppressions.email, target.email));
      if (want.suppressed) expect(suppressed).toHaveLength(1);
      if (want.suppressed === false)
        expect(suppressed.filter((s) => s.source === 'inbound-dsn')).toHaveLength(0);
    }
  });
});
