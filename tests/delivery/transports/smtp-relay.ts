import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerAddress } from 'smtp-server';

export interface ReceivedMail {
  from: string;
  to: string[];
  /** The message exactly as it arrived after DATA (headers and body, CRLF line ends). */
  data: string;
}

/**
 * A real SMTP server (nodemailer's `smtp-server`) on 127.0.0.1 and a free port: ESMTP, PIPELINING,
 * 8BITMIME, SMTPUTF8, dot-stuffing and all, so the transport is tested against a protocol
 * implementation it did not write. No TLS and no auth: a loopback relay. `answers` makes RCPT TO fail
 * for chosen recipients with a given code and text (e.g. `550`, `no such user`).
 */
export class LoopbackSmtp {
  readonly received: ReceivedMail[] = [];
  readonly answers = new Map<string, { code: number; text: string }>();
  /** Connections opened so far, to see that the transport pools them. */
  connections = 0;
  private readonly server = new SMTPServer({
    name: 'loopback.test',
    authOptional: true,
    hideSTARTTLS: true,
    logger: false,
    onConnect: (_session, callback) => {
      this.connections++;
      callback();
    },
    onRcptTo: (address: SMTPServerAddress, _session, callback) => {
      const answer = this.answers.get(address.address);
      if (!answer) return callback();
      const error = new Error(answer.text) as Error & { responseCode: number };
      error.responseCode = answer.code;
      callback(error);
    },
    onData: (stream, session, callback) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
        this.received.push({
          from,
          to: session.envelope.rcptTo.map((r) => r.address),
          data: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  });

  get port(): number {
    return (this.server.server.address() as AddressInfo).port;
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', () => resolve()));
    return this;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
