import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { escapeHtml } from '../rendering/render.js';
import { findUnsubscribeTarget, unsubscribe } from './unsubscribe.js';

type Lang = 'en' | 'de';

/** The browser's preference decides the page language; without one, the contact's own locale. */
export function pageLanguage(acceptLanguage: string | undefined, contactLocale: string | null): Lang {
  if (acceptLanguage) {
    const ranked = acceptLanguage
      .split(',')
      .map((part, index) => {
        const [tag = '', ...params] = part.trim().split(';');
        const q = Number(
          params
            .find((p) => p.trim().startsWith('q='))
            ?.trim()
            .slice(2) ?? '1',
        );
        return { lang: tag.trim().toLowerCase().slice(0, 2), q: Number.isNaN(q) ? 0 : q, index };
      })
      .filter((entry) => entry.q > 0 && (entry.lang === 'de' || entry.lang === 'en' || entry.lang === '*'))
      .sort((a, b) => b.q - a.q || a.index - b.index);
    if (ranked[0]) return ranked[0].lang === 'de' ? 'de' : 'en';
  }
  return contactLocale?.toLowerCase().startsWith('de') ? 'de' : 'en';
}

const copy = {
  en: {
    confirmTitle: 'Unsubscribe from incident e-mails',
    confirmBody: (email: string) =>
      `Stop sending incident notices, updates and apologies to <strong>${email}</strong>? You will no longer hear from us by e-mail when our service is disrupted.`,
    button: 'Unsubscribe',
    doneTitle: 'You are unsubscribed',
    doneBody: (email: string) =>
      `We will not send further incident e-mails to <strong>${email}</strong>. You can still follow our status page.`,
    invalidTitle: 'Link not valid',
    invalidBody:
      'This unsubscribe link is incomplete or no longer valid. Please use the link from your most recent e-mail.',
  },
  de: {
    confirmTitle: 'Störungsmeldungen abbestellen',
    confirmBody: (email: string) =>
      `Sollen wir keine Störungsmeldungen, Updates und Entschuldigungen mehr an <strong>${email}</strong> senden? Sie erhalten dann bei Ausfällen keine E-Mails mehr von uns.`,
    button: 'Abbestellen',
    doneTitle: 'Sie sind abgemeldet',
    doneBody: (email: string) =>
      `Wir senden keine weiteren Störungsmeldungen an <strong>${email}</strong>. Unsere Statusseite können Sie weiterhin verfolgen.`,
    invalidTitle: 'Link ungültig',
    invalidBody:
      'Dieser Abmeldelink ist unvollständig oder nicht mehr gültig. Bitte verwenden Sie den Link aus Ihrer letzten E-Mail.',
  },
} as const;

function page(lang: Lang, title: string, body: string): string {
  return `<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${title}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#1a1a1a}button{font:inherit;padding:.5rem 1.25rem;border:1px solid #1a1a1a;border-radius:4px;background:#1a1a1a;color:#fff;cursor:pointer}button:focus{outline:3px solid #4c8bf5;outline-offset:2px}</style>
</head>
<body>
<main>
<h1>${title}</h1>
${body}
</main>
</body>
</html>
`;
}

/** The token sits in the URL: keep it out of caches, referrers and other sites' frames. */
function sendPage(reply: FastifyReply, status: number, html: string) {
  return reply
    .status(status)
    .headers({
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'referrer-policy': 'no-referrer',
      'x-robots-tag': 'noindex',
      'content-security-policy':
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
    })
    .send(html);
}

const paramsSchema = z.object({ token: z.string().min(1).max(256) });

function invalid(request: FastifyRequest, reply: FastifyReply) {
  const lang = pageLanguage(request.headers['accept-language'], null);
  const t = copy[lang];
  return sendPage(reply, 404, page(lang, t.invalidTitle, `<p>${t.invalidBody}</p>`));
}

/**
 * `GET /u/:token` asks (link scanners and prefetchers follow GETs, so a GET never unsubscribes);
 * `POST /u/:token` is RFC 8058 one-click and also what the confirmation form sends. A forged or stale
 * token gets a 404 page. No authentication: the HMAC token is the proof. The `mailto:` alternative in
 * List-Unsubscribe is handled by the inbound-mail (replies) module.
 */
export default async function unsubscribeRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();

  // Mail clients POST `List-Unsubscribe=One-Click` as urlencoded or multipart; the token alone decides,
  // so any small body is read and ignored rather than refused with 415.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string', bodyLimit: 8 * 1024 }, (_request, body, done) =>
    done(null, body),
  );

  app.get(
    '/u/:token',
    { schema: { tags: ['recipients'], summary: 'Unsubscribe confirmation page', params: paramsSchema } },
    async (request, reply) => {
      const { deps } = app;
      const target = await findUnsubscribeTarget(deps.database.db, deps.signingSecret, request.params.token);
      if (!target) return invalid(request, reply);
      const lang = pageLanguage(request.headers['accept-language'], target.locale);
      const t = copy[lang];
      const email = escapeHtml(target.email);
      if (target.unsubscribedAt)
        return sendPage(reply, 200, page(lang, t.doneTitle, `<p>${t.doneBody(email)}</p>`));
      const form = `<p>${t.confirmBody(email)}</p>
<form method="post">
<input type="hidden" name="List-Unsubscribe" value="One-Click">
<button type="submit">${t.button}</button>
</form>`;
      return sendPage(reply, 200, page(lang, t.confirmTitle, form));
    },
  );

  app.post(
    '/u/:token',
    {
      schema: { tags: ['recipients'], summary: 'RFC 8058 one-click unsubscribe', params: paramsSchema },
    },
    async (request, reply) => {
      const { deps } = app;
      const target = await findUnsubscribeTarget(deps.database.db, deps.signingSecret, request.params.token);
      if (!target) return invalid(request, reply);
      const oneClick = typeof request.body === 'string' && /List-Unsubscribe=One-Click/i.test(request.body);
      const changed = await unsubscribe(deps.database.db, target, oneClick ? 'one-click' : 'page');
      if (changed > 0) deps.metrics.unsubscribes.inc();
      request.log.info({ contactId: target.contactId, changed, oneClick }, 'unsubscribe');
      const lang = pageLanguage(request.headers['accept-language'], target.locale);
      const t = copy[lang];
      return sendPage(reply, 200, page(lang, t.doneTitle, `<p>${t.doneBody(escapeHtml(target.email))}</p>`));
    },
  );
}
