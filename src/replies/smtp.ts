import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import type { AppDeps } from '../deps.js';
import { analyzeReply } from './analyze.js';
import { type InboundLimits, inboundLimitsOf } from './limits.js';
import { enqueueReply, storeRawReply } from './store.js';

/** Options of {@link startSmtpListener}. */
export interface SmtpListenerOptions {
  /** Port to listen on; default `CANDOR_SMTP_INBOUND_PORT` (0 picks a free port, for tests). */
  port?: number;
  /** Interface to listen on (default `0.0.0.0`: it is the reply domain's MX). */
  host?: string;
  /** Parsing limits; `maxBytes` is also announced as the SMTP SIZE. */
  limits?: InboundLimits;
}

export interface SmtpListener {
  port: number;
  close(): Promise<void>;
}

const smtpError = (code: number, message: string) =>
  Object.assign(new Error(message), { responseCode: code });

/**
 * Candor's own MX for the reply domain: accepts mail only for addresses at `CANDOR_REPLY_DOMAIN`
 * (550 otherwise, so it is never an open relay), refuses messages over the size limit (552), and
 * answers 250 only once the raw message is stored and analyzed, then queues it like any reply.
 * No AUTH (senders are the internet) and no STARTTLS (put a TLS-terminating proxy in front).
 */
export async function startSmtpListener(
  deps: AppDeps,
  options: SmtpListenerOptions = {},
): Promise<SmtpListener> {
  const limits = options.limits ?? inboundLimitsOf(deps.config);
  const domain = deps.config.replyDomain.toLowerCase();
  const port = options.port ?? deps.config.smtpInboundPort;
  if (port === undefined) throw new Error('CANDOR_SMTP_INBOUND_PORT is not set; the SMTP listener is off');
  const serverOptions: SMTPServerOptions = {
    name: domain,
    banner: 'Candor reply intake',
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    size: limits.maxBytes,
    maxClients: 100,
    socketTimeout: 60_000,
    logger: false,
    onRcptTo(address, _session, callback) {
      const at = address.address.lastIndexOf('@');
      if (at === -1 || address.address.slice(at + 1).toLowerCase() !== domain) {
        return callback(smtpError(550, `5.1.1 <${address.address}>: not a reply address here`));
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      let size = 0;
      stream.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size <= limits.maxBytes) chunks.push(chunk);
      });
      stream.on('end', () => {
        if ((stream as unknown as { sizeExceeded?: boolean }).sizeExceeded || size > limits.maxBytes) {
          return callback(smtpError(552, `5.3.4 Message is over ${limits.maxBytes} bytes`));
        }
        const envelope = {
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : null,
          to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
        };
        storeRawReply(deps.database.db, { raw: Buffer.concat(chunks), source: 'smtp', envelope })
          .then(async ({ id }) => {
            // Stored means accepted: an analysis problem is ours to retry (worker, sweeper), never a
            // reason to make the sender try again. Analysis is bounded, so answering after it is quick.
            await analyzeReply(deps, id, limits).catch((error: unknown) =>
              deps.logger.warn({ err: error, replyId: id }, 'inline analysis failed; left to the worker'),
            );
            callback(null, `2.0.0 Stored as ${id}`);
            await enqueueReply(deps, id);
          })
          .catch((error: unknown) => {
            deps.logger.error({ err: error }, 'SMTP reply could not be stored');
            callback(smtpError(451, '4.3.0 Temporary failure, try again later'));
          });
      });
    },
  };
  const server = new SMTPServer(serverOptions);
  server.on('error', (error) => deps.logger.warn({ err: error }, 'SMTP listener error'));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, options.host ?? '0.0.0.0', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.server.address() as AddressInfo;
  deps.logger.info({ port: address.port }, 'SMTP reply listener started');
  return {
    port: address.port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
