import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { loadConfig } from '../src/config.js';
import { type Database, openDatabase } from '../src/db/client.js';
import { newId } from '../src/db/ids.js';
import { contacts, customers, messages } from '../src/db/schema.js';
import { replyToken, tokenHash } from '../src/delivery/tokens.js';
import { analyzeReply } from '../src/replies/analyze.js';
import { parseInbound } from '../src/replies/parse.js';
import { storeRawReply } from '../src/replies/store.js';
import { sendingCommunication } from '../tests/support/rows.js';
import { loadAverage, peakRssMiB, throwawayDatabase, writeResult } from './lib.js';

/**
 * Replies parsed per second (postal-mime, limits, quote stripping, classification inputs) and replies
 * parsed *and stored* per second (store raw → analyze → match by token → update reply and message):
 * the path of `POST /v1/inbound/mime` minus HTTP. Inputs are the test fixtures, each addressed to a
 * real message; the two made to stay unmatched (`forged-token`, `unknown-sender`) do, so 30 of 32 match.
 * PGlite by default; PostgreSQL with DATABASE_URL.
 * `BENCH_INBOUND_PARSE` / `BENCH_INBOUND_STORE` set the counts.
 */
const here = path.dirname(fileURLToPath(import.meta.url));
const fixturesDir = path.join(here, '../tests/fixtures/replies');

async function seed(db: Database['db'], secret: Buffer, domain: string, n: number) {
  // Replies match by token alone: the communication's state does not matter here.
  const { communicationId } = await sendingCommunication(db);
  const customerId = newId('cus');
  await db.insert(customers).values({ id: customerId, ref: 'bench', name: 'Bench Co', tier: 'pro' });
  const targets: { email: string; replyTo: string; messageIdHeader: string }[] = [];
  for (let i = 0; i < n; i++) {
    const contactId = newId('con');
    const email = `c${i}@bench.example`;
    await db.insert(contacts).values({ id: contactId, customerId, email });
    const id = newId('msg');
    const messageIdHeader = `${id}@acme.example`;
    const token = replyToken(secret, id);
    await db.insert(messages).values({
      id,
      communicationId,
      contactId,
      customerId,
      email,
      status: 'delivered',
      replyTokenHash: tokenHash(token),
      messageIdHeader,
    });
    targets.push({ email, replyTo: `reply+${token}@${domain}`, messageIdHeader });
  }
  return targets;
}

function fill(
  raw: string,
  t: { email: string; replyTo: string; messageIdHeader: string },
  i: number,
): Buffer {
  return Buffer.from(
    raw
      .replaceAll('{{REPLY_TO_UPPER}}', t.replyTo.toUpperCase())
      .replaceAll('{{REPLY_TO}}', t.replyTo)
      .replaceAll('{{UNSUBSCRIBE_TO}}', t.replyTo.replace('reply+', 'unsubscribe+'))
      .replaceAll('{{MESSAGE_ID}}', t.messageIdHeader)
      .replaceAll('{{CONTACT}}', t.email)
      .replaceAll('{{REPLY_DOMAIN}}', 'replies.acme.example')
      .replaceAll('{{SUBJECT}}', 'Errors loading the help desk')
      // Distinct bytes per reply, so the retry de-duplication never short-cuts the work.
      .replace(
        /^Message-I[Dd]: <[^>]*>/m,
        `Message-ID: <bench-${i}-${randomBytes(4).toString('hex')}@bench.example>`,
      ),
    'utf8',
  );
}

export async function run() {
  const parseCount = Number(process.env.BENCH_INBOUND_PARSE ?? 5_000);
  const storeCount = Number(process.env.BENCH_INBOUND_STORE ?? 2_000);
  const templates = readdirSync(fixturesDir)
    .filter((f) => f.endsWith('.eml') && !f.includes('unsubscribe') && !f.includes('bounce'))
    .map((f) => readFileSync(path.join(fixturesDir, f), 'utf8'));
  const config = loadConfig({ NODE_ENV: 'production', LOG_LEVEL: 'silent', CANDOR_DATA_DIR: '/nonexistent' });
  const serverUrl = process.env.DATABASE_URL;
  const database = serverUrl
    ? await throwawayDatabase(serverUrl, 'candor_bench_inbound')
    : await openDatabase({});
  const driver = serverUrl ? 'postgres' : 'pglite';
  try {
    const secret = randomBytes(32);
    const targets = await seed(database.db, secret, config.replyDomain, 200);
    const inputs = Array.from({ length: Math.max(parseCount, storeCount) }, (_, i) =>
      fill(templates[i % templates.length]!, targets[i % targets.length]!, i),
    );
    for (const raw of inputs.slice(0, 200)) await parseInbound(raw); // warm-up (JIT)

    let start = process.hrtime.bigint();
    for (const raw of inputs.slice(0, parseCount)) await parseInbound(raw);
    const parseSeconds = Number(process.hrtime.bigint() - start) / 1e9;

    const deps = { database, config, logger: pino({ level: 'silent' }) };
    let matched = 0;
    start = process.hrtime.bigint();
    for (const raw of inputs.slice(0, storeCount)) {
      const { id } = await storeRawReply(database.db, { raw, source: 'mime' });
      if ((await analyzeReply(deps, id))?.matched) matched++;
    }
    const storeSeconds = Number(process.hrtime.bigint() - start) / 1e9;

    const rows = [
      {
        stage: 'parse (limits, MIME, quotes)',
        replies: parseCount,
        seconds: parseSeconds.toFixed(2),
        'replies/s': Math.round(parseCount / parseSeconds).toLocaleString('en'),
      },
      {
        stage: `parse + store + match (${driver})`,
        replies: storeCount,
        seconds: storeSeconds.toFixed(2),
        'replies/s': Math.round(storeCount / storeSeconds).toLocaleString('en'),
      },
    ];
    console.table(rows);
    console.log(`matched ${matched}/${storeCount} stored replies; peak RSS ${peakRssMiB()} MiB`);
    const file = await writeResult('inbound', {
      benchmark: 'inbound',
      at: new Date().toISOString(),
      node: process.version,
      driver,
      fixtures: templates.length,
      parse: { replies: parseCount, seconds: parseSeconds, perSecond: parseCount / parseSeconds },
      store: { replies: storeCount, seconds: storeSeconds, perSecond: storeCount / storeSeconds, matched },
      peakRssMiB: peakRssMiB(),
      loadAverage: loadAverage(),
    });
    console.log(`wrote ${path.relative(process.cwd(), file)}`);
    return rows;
  } finally {
    await database.close();
  }
}
