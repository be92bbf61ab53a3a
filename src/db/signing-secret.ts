import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Db } from './client.js';
import { settings } from './schema.js';

const KEY = 'signing_secret';

/**
 * The HMAC key behind reply tokens, unsubscribe links and approval links. It lives in the database so
 * every API and worker replica shares it without one more variable to configure; the first process
 * to start creates it, and concurrent first starts agree because the insert does nothing on conflict.
 */
export async function loadSigningSecret(db: Db): Promise<Buffer> {
  await db
    .insert(settings)
    .values({ key: KEY, value: randomBytes(32).toString('base64') })
    .onConflictDoNothing();
  const [row] = await db.select().from(settings).where(eq(settings.key, KEY));
  if (!row) throw new Error('signing secret missing after insert');
  return Buffer.from(row.value, 'base64');
}
