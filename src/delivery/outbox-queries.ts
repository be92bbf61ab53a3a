import { and, desc, eq, ilike, lt, type SQL, sql } from 'drizzle-orm';
import PostalMime from 'postal-mime';
import { z } from 'zod';
import type { Db } from '../db/client.js';
import { messages, outboxMessages } from '../db/schema.js';
import { notFound } from '../http/errors.js';
import { decodeCursor, toPage } from '../http/pagination.js';

export const outboxItemSchema = z.object({
  id: z.string(),
  message_id: z.string().nullable(),
  communication_id: z.string().nullable(),
  to: z.string(),
  from: z.string(),
  subject: z.string(),
  size: z.number().int(),
  created_at: z.string(),
});

export const outboxMessageSchema = outboxItemSchema.extend({
  headers: z.array(z.object({ name: z.string(), value: z.string() })),
  html: z.string().nullable(),
  text: z.string().nullable(),
  mime: z.string(),
});

export interface OutboxQuery {
  /** Part of the recipient's address. */
  to?: string | undefined;
  communication_id?: string | undefined;
  limit: number;
  cursor?: string | undefined;
}

const escapeLike = (value: string) => value.replace(/[\\%_]/g, (c) => `\\${c}`);

// The list never reads `mime` (only its size, counted by the database): a page of finished messages can
// be megabytes.
const itemColumns = {
  id: outboxMessages.id,
  messageId: outboxMessages.messageId,
  communicationId: messages.communicationId,
  to: outboxMessages.to,
  from: outboxMessages.from,
  subject: outboxMessages.subject,
  createdAt: outboxMessages.createdAt,
};

type ItemRow = {
  id: string;
  messageId: string | null;
  communicationId: string | null;
  to: string;
  from: string;
  subject: string;
  createdAt: Date;
};

const itemJson = (r: ItemRow, size: number) => ({
  id: r.id,
  message_id: r.messageId,
  communication_id: r.communicationId,
  to: r.to,
  from: r.from,
  subject: r.subject,
  size,
  created_at: r.createdAt.toISOString(),
});

/** Captured messages, newest first; approval requests and forwards (no `messages` row) included. */
export async function listOutbox(db: Db, query: OutboxQuery) {
  const after = decodeCursor(query.cursor);
  const where: (SQL | undefined)[] = [
    query.to ? ilike(outboxMessages.to, `%${escapeLike(query.to)}%`) : undefined,
    query.communication_id ? eq(messages.communicationId, query.communication_id) : undefined,
    after ? lt(outboxMessages.id, after) : undefined,
  ];
  const rows = await db
    .select({ ...itemColumns, size: sql<number>`octet_length(${outboxMessages.mime})::int` })
    .from(outboxMessages)
    .leftJoin(messages, eq(messages.id, outboxMessages.messageId))
    .where(and(...where))
    .orderBy(desc(outboxMessages.id))
    .limit(query.limit + 1);
  return toPage(rows, query.limit, (r) => itemJson(r, r.size));
}

/** One captured message, parsed the way a mail client would show it, with its exact MIME source. */
export async function getOutboxMessage(db: Db, id: string) {
  const [row] = await db
    .select({ ...itemColumns, mime: outboxMessages.mime })
    .from(outboxMessages)
    .leftJoin(messages, eq(messages.id, outboxMessages.messageId))
    .where(eq(outboxMessages.id, id));
  if (!row) throw notFound('Outbox message', id);
  const parsed = await PostalMime.parse(row.mime);
  return {
    ...itemJson(row, Buffer.byteLength(row.mime)),
    headers: parsed.headers.map((h) => ({ name: h.originalKey || h.key, value: h.value })),
    html: parsed.html ?? null,
    text: parsed.text ?? null,
    mime: row.mime,
  };
}
