import { and, eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { communications, communicationVersions } from '../db/schema.js';
import { notFound } from '../http/errors.js';
import { errorResponses } from '../http/schemas.js';
import { lintContent, loadLintWordLists, versionText } from '../rendering/lint.js';
import { type PreviewResult, previewCommunication } from './preview.js';
import { draftPreviewBodySchema } from './schemas.js';

/** Response headers are Latin-1 on the wire; non-ASCII values travel as RFC 2047 words, as in mail. */
function headerValue(value: string): string {
  return /^[\x20-\x7e]*$/.test(value) ? value : `=?UTF-8?B?${Buffer.from(value).toString('base64')}?=`;
}

function headersOf(preview: PreviewResult) {
  const h = preview.email.headers;
  return {
    subject: preview.email.subject,
    from: preview.email.from,
    to: preview.email.to,
    reply_to: preview.email.replyTo ?? null,
    message_id: h['Message-ID'] ?? null,
    in_reply_to: h['In-Reply-To'] ?? null,
    references: h.References ?? null,
    list_unsubscribe: h['List-Unsubscribe'] ?? null,
    list_unsubscribe_post: h['List-Unsubscribe-Post'] ?? null,
  };
}

const previewJson = z.object({
  headers: z.record(z.string(), z.string().nullable()),
  html: z.string(),
  text: z.string(),
  placeholder_message_id: z.boolean(),
  sample_recipient: z.boolean(),
  contact: z.object({ id: z.string(), email: z.string(), name: z.string().nullable(), customer: z.string() }),
  locale: z.string().nullable(),
  variant: z.string(),
  segment: z.string(),
  /** The contact already replied about this incident: someone may owe them an answer before more mail. */
  contact_replied: z.boolean(),
  contact_replied_at: z.string().nullable(),
});

const warningsJson = z.array(
  z.object({ rule: z.string(), severity: z.string(), excerpt: z.string(), suggestion: z.string() }),
);
const lintJson = z.object({ warnings: warningsJson });

function previewBody(preview: PreviewResult) {
  return {
    headers: headersOf(preview),
    html: preview.email.html,
    text: preview.email.text,
    placeholder_message_id: preview.placeholderMessageId,
    sample_recipient: preview.sample,
    contact: preview.contact,
    locale: preview.locale,
    variant: preview.variant,
    segment: preview.segment,
    contact_replied: preview.repliedAt !== null,
    contact_replied_at: preview.repliedAt?.toISOString() ?? null,
  };
}

/** Preview and lint of a communication's current version: what staff check before it goes. */
export default async function previewRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();

  app.get(
    '/v1/communications/:id/preview',
    {
      preHandler: app.authorize({ scope: 'read' }),
      schema: {
        tags: ['communications'],
        summary: 'The exact e-mail one recipient would get (html, text, or json with headers)',
        params: z.object({ id: z.string() }),
        querystring: z.object({
          format: z.enum(['html', 'text', 'json']).default('html'),
          contact: z.string().max(320).optional(),
          segment: z.string().max(200).optional(),
        }),
        response: { 200: z.union([previewJson, z.string()]), ...errorResponses },
      },
    },
    async (request, reply) => {
      const { format, contact, segment } = request.query;
      const preview = await previewCommunication(app.deps, request.params.id, { contact, segment });
      const headers = headersOf(preview);
      if (format === 'json') return previewBody(preview);
      for (const [name, value] of Object.entries(headers)) {
        if (value !== null) reply.header(`x-candor-${name.replace(/_/g, '-')}`, headerValue(value));
      }
      reply.header('x-candor-placeholder-message-id', String(preview.placeholderMessageId));
      reply.header('x-candor-sample-recipient', String(preview.sample));
      reply.header('x-candor-variant', preview.variant);
      reply.header('x-candor-contact-replied', String(preview.repliedAt !== null));
      if (preview.locale) reply.header('x-candor-locale', headerValue(preview.locale));
      // A preview is someone's e-mail: keep it out of shared caches and never let it run scripts.
      reply.header('cache-control', 'private, no-store');
      reply.header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; img-src data:");
      reply.type(format === 'html' ? 'text/html; charset=utf-8' : 'text/plain; charset=utf-8');
      return format === 'html' ? preview.email.html : preview.email.text;
    },
  );

  app.post(
    '/v1/communications/:id/preview',
    {
      preHandler: app.authorize({ scope: 'read' }),
      schema: {
        tags: ['communications'],
        summary: "Preview and lint unsaved edits (the editor's live preview); stores nothing",
        description:
          'The same answer as `GET …/preview?format=json` for the current version with `subject` and/or `body` replaced, plus the content warnings of that text.',
        params: z.object({ id: z.string() }),
        body: draftPreviewBodySchema,
        response: { 200: previewJson.extend({ warnings: warningsJson }), ...errorResponses },
      },
    },
    async (request) => {
      const { subject, body, contact, segment } = request.body;
      const preview = await previewCommunication(app.deps, request.params.id, {
        contact,
        segment,
        draft: { subject, body },
      });
      const lists = await loadLintWordLists(app.deps.config.lintConfigPath);
      const text = versionText(preview.version);
      return { ...previewBody(preview), warnings: lintContent({ text, kind: preview.kind }, lists) };
    },
  );

  app.get(
    '/v1/communications/:id/lint',
    {
      preHandler: app.authorize({ scope: 'read' }),
      schema: {
        tags: ['communications'],
        summary: 'Content warnings for the current version (blame, jargon, missing apology, length)',
        params: z.object({ id: z.string() }),
        response: { 200: lintJson, ...errorResponses },
      },
    },
    async (request) => {
      const { db } = app.deps.database;
      const [row] = await db
        .select({ kind: communications.kind, version: communicationVersions })
        .from(communications)
        .innerJoin(
          communicationVersions,
          and(
            eq(communicationVersions.communicationId, communications.id),
            eq(communicationVersions.version, communications.currentVersion),
          ),
        )
        .where(eq(communications.id, request.params.id));
      if (!row) throw notFound('Communication', request.params.id);
      const lists = await loadLintWordLists(app.deps.config.lintConfigPath);
      return { warnings: lintContent({ text: versionText(row.version), kind: row.kind }, lists) };
    },
  );
}
