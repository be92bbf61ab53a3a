import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { eq } from 'drizzle-orm';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { buildApp } from '../../src/app.js';
import { messages, outboxMessages } from '../../src/db/schema.js';
import { queuedBatches, runFanout } from '../../src/delivery/fanout.js';
import { runSend } from '../../src/delivery/send.js';
import type { Transport } from '../../src/delivery/transports/transport.js';
import type { Driver } from '../support/database.js';
import { createTestDeps, type TestDeps } from '../support/deps.js';
import { auth, BOOTSTRAP_KEY, incidentEvent, seedAudience } from '../support/fixtures.js';

const here = path.dirname(fileURLToPath(import.meta.url));
export const fixturesDir = path.join(here, '../fixtures/replies');
export const corpusDir = path.join(here, '../../../shared/corpora/email_reply_parser');

/** A message Candor really sent, as the customer's mail client sees it. */
export interface SentMessage {
  id: string;
  communicationId: string;
  email: string;
  /** The full Reply-To address, `reply+TOKEN@replies.…`. */
  replyAddress: string;
  unsubscribeAddress: string;
  messageIdHeader: string;
  subject: string;
}

export interface RepliesHarness {
  deps: TestDeps;
  app: FastifyInstance;
  sent: SentMessage[];
  /** Posts a raw message to `POST /v1/inbound/mime`. */
  postMime(raw: string | Buffer, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

/** Posts an incident event, fans it out and sends it through the outbox; returns what was sent. */
export async function sendNotice(deps: TestDeps, app: FastifyInstance, ref: string): Promise<SentMessage[]> {
  const response = await app.inject({
    method: 'POST',
    url: '/v1/events',
    headers: auth,
    payload: incidentEvent({ incident: { ref } }),
  });
  if (response.statusCode !== 202) throw new Error(`event failed: ${response.body}`);
  const out: SentMessage[] = [];
  for (const { id: communicationId } of response.json().communications as { id: string }[]) {
    await runFanout(deps, communicationId);
    const rows = await deps.database.db
      .select()
      .from(messages)
      .where(eq(messages.communicationId, communicationId));
    if (rows.length === 0) continue;
    for (const batch of await queuedBatches(deps.database.db, communicationId))
      await runSend(deps, { communicationId, ...batch });
    for (const row of rows) {
      const [outbox] = await deps.database.db
        .select()
        .from(outboxMessages)
        .where(eq(outboxMessages.messageId, row.id));
      const mime = outbox!.mime.replace(/\r\n[ \t]+/g, ' ');
      out.push({
        id: row.id,
        communicationId,
        email: row.email,
        replyAddress: /^Reply-To:.*<([^>]+)>/im.exec(mime)![1]!,
        unsubscribeAddress: /mailto:([^>]+)>/i.exec(mime)![1]!,
        messageIdHeader: row.messageIdHeader,
        subject: outbox!.subject,
      });
    }
  }
  await deps.queues.obliterate();
  return out;
}

export async function startRepliesHarness(
  driver: Driver,
  options: { env?: Record<string, string>; transport?: Transport; ref?: string } = {},
): Promise<RepliesHarness> {
  const deps = await createTestDeps(driver, {
    env: { CANDOR_BOOTSTRAP_API_KEY: BOOTSTRAP_KEY, ...options.env },
    ...(options.transport ? { transport: options.transport } : {}),
  });
  const app = await buildApp(deps);
  await seedAudience(app);
  const sent = await sendNotice(deps, app, options.ref ?? 'replies-harness');
  return {
    deps,
    app,
    sent,
    postMime: (raw, headers = {}) =>
      app.inject({
        method: 'POST',
        url: '/v1/inbound/mime',
        headers: { ...auth, 'content-type': 'message/rfc822', ...headers },
        payload: raw,
      }),
    close: async () => {
      await app.close();
      await deps.close();
    },
  };
}

/** Fills a fixture's placeholders with a real sent message's addresses and ids. */
export function fillPlaceholders(template: string, sent: SentMessage): string {
  return template
    .replaceAll('{{REPLY_TO}}', sent.replyAddress)
    .replaceAll('{{UNSUBSCRIBE_TO}}', sent.unsubscribeAddress)
    .replaceAll('{{MESSAGE_ID}}', sent.messageIdHeader)
    .replaceAll('{{CONTACT}}', sent.email)
    .replaceAll('{{SUBJECT}}', sent.subject);
}

export interface FixtureExpectation {
  description: string;
  client: string;
  /** Substrings the stored text must contain (what the person wrote). */
  keeps: string[];
  /** Substrings it must not contain (quote, signature). */
  drops: string[];
  category?: string | null;
  auto: boolean;
  kind: 'reply' | 'auto_reply' | 'bounce' | 'unsubscribe';
  matched: boolean;
  matched_by?: 'token' | 'in_reply_to' | 'sender' | null;
  attachments?: { filename: string; type: string }[];
  /** A bounce: whether the address ends up suppressed. */
  suppressed?: boolean;
}

export function loadFixtures(): { name: string; raw: string; expect: FixtureExpectation }[] {
  return readdirSync(fixturesDir)
    .filter((f) => f.endsWith('.eml'))
    .sort()
    .map((file) => ({
      name: file.slice(0, -4),
      raw: readFileSync(path.join(fixturesDir, file), 'utf8'),
      expect: JSON.parse(readFileSync(path.join(fixturesDir, `${file.slice(0, -4)}.json`), 'utf8')),
    }));
}

/** A corpus body wrapped in a plain reply, as a mail client would send it. */
export function wrapBody(body: string, to: string, extraHeaders = ''): string {
  return [
    'From: Customer <customer@northwind.example>',
    `To: ${to}`,
    'Subject: Re: Errors loading the help desk',
    'Date: Mon, 15 May 2017 15:00:00 +0000',
    'Message-ID: <corpus-reply@northwind.example>',
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    ...(extraHeaders ? [extraHeaders] : []),
    '',
    body,
  ].join('\r\n');
}
