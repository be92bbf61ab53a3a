import type { Config } from '../../config.js';
import type { Db } from '../../db/client.js';
import { OutboxTransport } from './outbox.js';
import { ResendTransport } from './resend.js';
import { SmtpTransport } from './smtp.js';
import type { Transport } from './transport.js';

export { OutboxTransport } from './outbox.js';
export { ResendTransport } from './resend.js';
export { SmtpTransport } from './smtp.js';
export * from './transport.js';

/** The transport `CANDOR_TRANSPORT` names; config validation already made sure its settings exist. */
export function createTransport(config: Config, db: Db): Transport {
  switch (config.transport) {
    case 'resend':
      if (!config.resend.apiKey) throw new Error('RESEND_API_KEY is required for the resend transport');
      return new ResendTransport({
        apiKey: config.resend.apiKey,
        baseUrl: config.resend.baseUrl,
        timeoutMs: config.resend.timeoutMs,
        templates: config.resend.templates,
      });
    case 'smtp':
      if (!config.smtpUrl) throw new Error('SMTP_URL is required for the smtp transport');
      return new SmtpTransport({ url: config.smtpUrl });
    case 'outbox':
      return new OutboxTransport(db);
  }
}
