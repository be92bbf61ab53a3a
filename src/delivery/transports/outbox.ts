import { inTextArray } from '../../db/arrays.js';
import type { Db } from '../../db/client.js';
import { errorCode } from '../../db/errors.js';
import { newId } from '../../db/ids.js';
import { outboxMessages } from '../../db/schema.js';
import { buildMime } from './mime.js';
import {
  type OutgoingEmail,
  PermanentTransportError,
  type SendBatchOptions,
  type SendOutcome,
  TransientTransportError,
  type Transport,
} from './transport.js';

export interface OutboxTransportOptions {
  /** Clock for the Date header; tests pin it. */
  now?: () => Date;
}

const FOREIGN_KEY_VIOLATION = '23503';

/**
 * Keeps every finished MIME message in `outbox_messages` instead of sending it, like a local mail
 * catcher: the default when no provider is configured, and what the UI shows. One row per message
 * id (unique), so a retried batch finds its rows already there and answers with the same ids.
 */
export class OutboxTransport implements Transport {
  readonly name = 'outbox' as const;
  private readonly now: () => Date;

  constructor(
    private readonly db: Db,
    options: OutboxTransportOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
  }

  async sendBatch(emails: OutgoingEmail[], _options: SendBatchOptions): Promise<SendOutcome[]> {
    if (emails.length === 0) return [];
    const date = this.now();
    const outcomes = new Map<number, SendOutcome>();
    const rows: (typeof outboxMessages.$inferInsert)[] = [];
    // Untracked e-mails have no message id to read their row back by: remember each one's row.
    const untrackedRows = new Map<number, string>();
    for (const [index, email] of emails.entries()) {
      try {
        const mime = await buildMime(email, date);
        const id = newId('obx');
        if (!isTracked(email.messageId)) untrackedRows.set(index, id);
        rows.push({
          id,
          // Only tracked messages link to a `messages` row; approval requests and forwards have none.
          messageId: isTracked(email.messageId) ? email.messageId : null,
          to: email.to,
          from: email.from,
          subject: email.subject,
          mime,
        });
      } catch (error) {
        // A message nodemailer cannot compose (bad header, unparsable address) fails alone.
        const reason = error instanceof Error ? error.message : String(error);
        outcomes.set(index, {
          messageId: email.messageId,
          ok: false,
          permanent: true,
          error: `cannot compose: ${reason}`,
        });
      }
    }
    if (rows.length > 0) await this.store(rows);
    const stored = await this.idsFor(rows.flatMap((row) => (row.messageId ? [row.messageId] : [])));
    return emails.map((email, index) => {
      const failed = outcomes.get(index);
      if (failed) return failed;
      const id = untrackedRows.get(index) ?? stored.get(email.messageId);
      if (!id) throw new TransientTransportError(`outbox row for ${email.messageId} missing after insert`);
      return { messageId: email.messageId, ok: true, providerId: `outbox:${id}` };
    });
  }

  private async store(rows: (typeof outboxMessages.$inferInsert)[]): Promise<void> {
    try {
      await this.db
        .insert(outboxMessages)
        .values(rows)
        .onConflictDoNothing({ target: outboxMessages.messageId });
    } catch (error) {
      if (errorCode(error) === FOREIGN_KEY_VIOLATION) {
        throw new PermanentTransportError('outbox: a message id in the batch has no messages row');
      }
      throw new TransientTransportError('outbox: could not store the batch', { cause: error });
    }
  }

  /** Reads ids back rather than trusting RETURNING, which omits rows an earlier attempt stored. */
  private async idsFor(messageIds: string[]): Promise<Map<string, string>> {
    if (messageIds.length === 0) return new Map();
    try {
      const found = await this.db
        .select({ id: outboxMessages.id, messageId: outboxMessages.messageId })
        .from(outboxMessages)
        .where(inTextArray(outboxMessages.messageId, messageIds));
      return new Map(found.map((row) => [row.messageId!, row.id]));
    } catch (error) {
      throw new TransientTransportError('outbox: could not read the stored batch back', { cause: error });
    }
  }

  async close(): Promise<void> {}
}

const isTracked = (messageId: string) => messageId.startsWith('msg_');
