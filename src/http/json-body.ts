import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/** A `\uD800`–`\uDFFF` escape: the only way a JSON text can carry a lone UTF-16 surrogate. */
const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F][0-9a-fA-F]{2}/;

// String.prototype.toWellFormed is in Node 20 (ES2024); TypeScript's ES2023 library does not declare it.
const toWellFormed = (text: string) => (text as unknown as { toWellFormed(): string }).toWellFormed();

function wellFormed(value: unknown): unknown {
  if (typeof value === 'string') return toWellFormed(value);
  if (Array.isArray(value)) return value.map(wellFormed);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, v]) => [toWellFormed(key), wellFormed(v)]));
  }
  return value;
}

/**
 * JSON bodies exactly as Fastify parses them (its parser, its errors, its prototype-poisoning
 * settings), with one repair: a lone surrogate (`"\ud800"`: valid JSON, not Unicode text) becomes
 * U+FFFD. PostgreSQL refuses one inside `jsonb`, so an event whose title held half an emoji was a 500
 * and was lost; `text` columns already got U+FFFD from the driver's UTF-8 encoding, and now every
 * column does. Only a body with a surrogate escape in it is walked. Plugins that need the raw body
 * (the signed Resend webhook) replace this parser in their own scope.
 */
async function jsonBodyPlugin(app: FastifyInstance) {
  const parse = app.getDefaultJsonParser(
    app.initialConfig.onProtoPoisoning ?? 'error',
    app.initialConfig.onConstructorPoisoning ?? 'error',
  );
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) =>
    parse(request, body as string, (error, value) => {
      if (error) return done(error, undefined);
      done(null, SURROGATE_ESCAPE.test(body as string) ? wellFormed(value) : value);
    }),
  );
}

export default fp(jsonBodyPlugin, { name: 'candor-json-body', fastify: '5.x' });
