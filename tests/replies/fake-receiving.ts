import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Resend's receiving API on loopback: `GET /emails/receiving/:id` (Bearer auth) answers the SDK's
 * `GetReceivingEmailResponseSuccess` with a signed-URL-like `raw.download_url` served at `/raw/:id`.
 * Kept beside the replies tests rather than in `fake-resend.ts`, which another branch is changing;
 * the two can be merged (same base URL) later.
 */
export class FakeReceiving {
  private server: Server | undefined;
  private readonly emails = new Map<string, { raw: string; to: string[]; from: string; subject: string }>();
  /** Answer the next `n` receiving lookups with 500 (provider trouble). */
  failures = 0;
  requests: string[] = [];

  get url(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  add(id: string, email: { raw: string; to: string[]; from: string; subject: string }): void {
    this.emails.set(id, email);
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0]!;
      this.requests.push(`${req.method} ${path}`);
      const raw = /^\/raw\/([^/]+)$/.exec(path);
      if (raw) {
        const email = this.emails.get(decodeURIComponent(raw[1]!));
        res.writeHead(email ? 200 : 404, { 'content-type': 'message/rfc822' });
        return res.end(email?.raw ?? '');
      }
      const get = /^\/emails\/receiving\/([^/]+)$/.exec(path);
      const json = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (req.headers.authorization !== 'Bearer re_test_key')
        return json(401, { statusCode: 401, name: 'missing_api_key', message: 'no' });
      if (!get || req.method !== 'GET')
        return json(405, { statusCode: 405, name: 'method_not_allowed', message: 'no' });
      if (this.failures > 0) {
        this.failures--;
        return json(500, { statusCode: 500, name: 'internal_server_error', message: 'injected' });
      }
      const id = decodeURIComponent(get[1]!);
      const email = this.emails.get(id);
      if (!email) return json(404, { statusCode: 404, name: 'not_found', message: 'Email not found' });
      json(200, {
        object: 'email',
        id,
        to: email.to,
        from: email.from,
        created_at: new Date().toISOString(),
        subject: email.subject,
        bcc: null,
        cc: null,
        reply_to: null,
        received_for: email.to,
        html: null,
        text: null,
        headers: {},
        message_id: `<${id}@fake>`,
        raw: {
          download_url: `${this.url}/raw/${encodeURIComponent(id)}`,
          expires_at: new Date(Date.now() + 3600_000).toISOString(),
        },
        attachments: [],
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}
