import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { createUser } from '../../src/auth/users.js';
import { messages, replies } from '../../src/db/schema.js';
import type { Queues } from '../../src/delivery/queues.js';
import { defaultInboundLimits } from '../../src/replies/limits.js';
import { processPendingReplies } from '../../src/replies/process.js';
import { storeRawReply } from '../../src/replies/store.js';
import { login, PASSWORD } from '../communications/apology-harness.js';
import { drivers } from '../support/database.js';
import { createTestDeps } from '../support/deps.js';
import { auth, BOOTSTRAP_KEY } from '../support/fixtures.js';
import { type RepliesHarness, startRepliesHarness } from './harness.js';

const reply = (to: string, body: string, extra = '') =>
  `From: Nora Ops <ops@northwind.example>\r\nTo: ${to}\r\nSubject: Re: help desk\r\nMessage-ID: <${randomBytes(6).toString('hex')}@northwind.example>\r\n${extra}Content-Type: text/plain; charset=utf-8\r\n\r\n${body}\r\n`;

/** Parts nested `depth` deep, each multipart holding the next: tiny on the wire, deep for a parser. */
function nestedBomb(depth: number): string {
  let out = 'From: x@evil.example\r\nTo: reply+abc@replies.acme.example\r\nSubject: bomb\r\n';
  for (let i = 0; i < depth; i++) out += `Content-Type: multipart/mixed; boundary="b${i}"\r\n\r\n--b${i}\r\n`;
  out += 'Content-Type: text/plain\r\n\r\nboom\r\n';
  for (let i = depth - 1; i >= 0; i--) out += `--b${i}--\r\n`;
  return out;
}

function wideBomb(parts: number): string {
  let out =
    'From: x@evil.example\r\nTo: reply+abc@replies.acme.example\r\nSubject: wide\r\nContent-Type: multipart/mixed; boundary="w"\r\n\r\n';
  for (let i = 0; i < parts; i++) out += '--w\r\nContent-Type: text/plain\r\n\r\nx\r\n';
  return `${out}--w--\r\n`;
}

describe.each(drivers)('POST /v1/inbound/mime and the replies API (%s)', (driver) => {
  let h: RepliesHarness;
  beforeAll(async () => {
    h = await startRepliesHarness(driver, { ref: `api-${driver}` });
  });
  afterAll(async () => h?.close());

  const repliesOf = (query: string) =>
    h.app.inject({ method: 'GET', url: `/v1/replies?${query}`, headers: auth });
  const health = async () => (await h.postMime(reply(h.sent[1]!.replyAddress, 'still here?'))).statusCode;

  it('refuses a nested-part bomb (422) and a too-wide message (422), stays healthy and keeps them', async () => {
    const started = performance.now();
    const deep = await h.postMime(nestedBomb(5_000));
    expect(deep.statusCode).toBe(422);
    expect(deep.json().error.code).toBe('nesting_too_deep');
    const wide = await h.postMime(wideBomb(defaultInboundLimits.maxParts + 50));
    expect(wide.statusCode).toBe(422);
    expect(wide.json().error.code).toBe('too_many_parts');
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(await health()).toBe(202);
    const rejected = (await repliesOf('status=closed&limit=500'))
      .json()
      .data.filter((r: { kind: string }) => r.kind === 'rejected');
    expect(rejected.map((r: { error: string }) => r.error).sort()).toEqual([
      'nesting_too_deep',
      'too_many_parts',
    ]);
  });

  it('refuses an oversized message with 413 before storing it, and stays healthy', async () => {
    const before = (await h.deps.database.db.select({ id: replies.id }).from(replies)).length;
    const huge = reply(h.sent[0]!.replyAddress, 'x'.repeat(defaultInboundLimits.maxBytes + 10));
    const response = await h.postMime(huge);
    expect(response.statusCode).toBe(413);
    expect((await h.deps.database.db.select({ id: replies.id }).from(replies)).length).toBe(before);
    expect(await health()).toBe(202);
  });

  it('answers 415 for anything but message/rfc822 and 401 without credentials', async () => {
    const json = await h.postMime('{"a":1}', { 'content-type': 'application/json' });
    expect(json.statusCode).toBe(415);
    const text = await h.postMime('hello', { 'content-type': 'text/plain' });
    expect(text.statusCode).toBe(415);
    const anonymous = await h.app.inject({
      method: 'POST',
      url: '/v1/inbound/mime',
      headers: { 'content-type': 'message/rfc822' },
      payload: 'x',
    });
    expect(anonymous.statusCode).toBe(401);
  });

  it('links a reply to its message, sets replied_at once, and auto-replies do not count', async () => {
    const target = h.sent[2]!;
    const ooo = await h.postMime(reply(target.replyAddress, 'I am away', 'Auto-Submitted: auto-replied\r\n'));
    expect(ooo.json().matched).toBe(true);
    const read = async () =>
      (await h.deps.database.db.select().from(messages).where(eq(messages.id, target.id)))[0]!;
    expect((await read()).repliedAt).toBeNull();
    const first = await h.postMime(reply(target.replyAddress, 'Thanks a lot!'));
    expect(first.statusCode).toBe(202);
    const repliedAt = (await read()).repliedAt;
    expect(repliedAt).not.toBeNull();
    await h.postMime(reply(target.replyAddress, 'And one more thing?'));
    expect((await read()).repliedAt).toEqual(repliedAt);
    const listed = (await repliesOf(`communication_id=${target.communicationId}&auto=false`)).json();
    expect(
      listed.data.every(
        (r: { auto: boolean; communication_id: string }) =>
          !r.auto && r.communication_id === target.communicationId,
      ),
    ).toBe(true);
    expect(listed.data.map((r: { category: string }) => r.category)).toEqual(
      expect.arrayContaining(['thanks', 'question']),
    );
  });

  it('stores the same bytes once when a client retries', async () => {
    const raw = reply(h.sent[0]!.replyAddress, 'retry me');
    const a = (await h.postMime(raw)).json();
    const b = (await h.postMime(raw)).json();
    expect(b.reply_id).toBe(a.reply_id);
  });

  it('filters (matched=false is the unmatched view) and paginates', async () => {
    await h.postMime(reply(`reply+zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz@${h.deps.config.replyDomain}`, 'forged'));
    const unmatched = (await repliesOf('matched=false')).json();
    expect(unmatched.data.length).toBeGreaterThan(0);
    expect(unmatched.data.every((r: { matched: boolean }) => r.matched === false)).toBe(true);
    const page1 = (await repliesOf('limit=2')).json();
    expect(page1.data).toHaveLength(2);
    const page2 = (await repliesOf(`limit=2&cursor=${page1.next_cursor}`)).json();
    expect(page2.data[0].id < page1.data[1].id).toBe(true);
    expect((await repliesOf('status=bogus')).statusCode).toBe(400);
  });

  it('lets staff and audience:write keys move a reply through the inbox, not read-only keys', async () => {
    const { reply_id } = (await h.postMime(reply(h.sent[0]!.replyAddress, 'please call me'))).json();
    const patch = (headers: Record<string, string>, status: string) =>
      h.app.inject({ method: 'PATCH', url: `/v1/replies/${reply_id}`, headers, payload: { status } });
    const email = `casey-${randomBytes(3).toString('hex')}@staff.acme.example`;
    const user = await createUser(
      h.deps.database.db,
      { email, name: 'Casey', role: 'comms', password: PASSWORD },
      { senderDomains: h.deps.config.senderDomains, actor: 'system' },
    );
    const comms = await login(h.app, user.id, email);
    const acknowledged = await patch(comms.headers, 'acknowledged');
    expect(acknowledged.statusCode, acknowledged.body).toBe(200);
    expect(acknowledged.json().status).toBe('acknowledged');
    const readKey = (
      await h.app.inject({
        method: 'POST',
        url: '/v1/api-keys',
        headers: auth,
        payload: { name: 'ro', scopes: ['read'] },
      })
    ).json().key;
    expect((await patch({ authorization: `Bearer ${readKey}` }, 'closed')).statusCode).toBe(403);
    expect((await patch(auth, 'received')).statusCode).toBe(400);
    expect((await patch(auth, 'answered')).json().status).toBe('answered');
    const unknown = await h.app.inject({
      method: 'PATCH',
      url: '/v1/replies/rpl_nope',
      headers: auth,
      payload: { status: 'closed' },
    });
    expect(unknown.statusCode).toBe(404);
  });

  it('answers 202 when Redis is down and the sweeper finishes what was only stored', async () => {
    const brokenQueues: Queues = Object.assign(Object.create(h.deps.queues), {
      add: async () => {
        throw new Error('Connection is closed.');
      },
    });
    const noRedis = await buildApp({ ...h.deps, queues: brokenQueues });
    try {
      const response = await noRedis.inject({
        method: 'POST',
        url: '/v1/inbound/mime',
        headers: { ...auth, 'content-type': 'message/rfc822' },
        payload: reply(h.sent[0]!.replyAddress, 'redis is down'),
      });
      expect(response.statusCode).toBe(202);
      expect(response.json().matched).toBe(true);
    } finally {
      await noRedis.close();
    }
    // A message stored but never analyzed (the process died between the two) is picked up later.
    const { id } = await storeRawReply(h.deps.database.db, {
      raw: Buffer.from(reply(h.sent[0]!.replyAddress, 'orphan')),
      source: 'smtp',
    });
    expect(await processPendingReplies(h.deps, 100, new Date())).toMatchObject({ processed: 0 });
    expect(await processPendingReplies(h.deps, 100, new Date(Date.now() + 60_000))).toMatchObject({
      processed: 1,
      failed: 0,
    });
    const [row] = await h.deps.database.db.select().from(replies).where(eq(replies.id, id));
    expect(row).toMatchObject({ status: 'new', matched: true, text: 'orphan' });
  });
});

describe('inbound limits from the configuration', () => {
  it('applies CANDOR_INBOUND_MAX_BYTES and CANDOR_INBOUND_MAX_PARTS to POST /v1/inbound/mime', async () => {
    const deps = await createTestDeps('pglite', {
      env: {
        CANDOR_BOOTSTRAP_API_KEY: BOOTSTRAP_KEY,
        CANDOR_INBOUND_MAX_BYTES: String(64 * 1024),
        CANDOR_INBOUND_MAX_PARTS: '3',
      },
    });
    const app = await buildApp(deps);
    try {
      const post = (raw: string) =>
        app.inject({
          method: 'POST',
          url: '/v1/inbound/mime',
          headers: { ...auth, 'content-type': 'message/rfc822' },
          payload: raw,
        });
      const wide = await post(wideBomb(5));
      expect(wide.statusCode).toBe(422);
      expect(wide.json().error.code).toBe('too_many_parts');
      const large = await post(reply('reply+abc@replies.acme.example', 'x'.repeat(70 * 1024)));
      expect(large.statusCode).toBe(413);
      expect(large.json().error.message).toContain(String(64 * 1024));
      expect((await post(reply('reply+abc@replies.acme.example', 'thanks'))).statusCode).toBe(202);
    } finally {
      await app.close();
      await deps.close();
    }
  });
});
