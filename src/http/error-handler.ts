import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { errorCode } from '../db/errors.js';
import { type ErrorDetail, HttpError } from './errors.js';

const DB_UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  '57P01',
  '57P03',
  '08006',
  '08001',
]);

function isDatabaseUnavailable(error: unknown): boolean {
  const e = error as { message?: string };
  const code = errorCode(error);
  if (code && DB_UNAVAILABLE_CODES.has(code)) return true;
  return /connection terminated|timeout exceeded when trying to connect|Connection terminated/i.test(
    e.message ?? '',
  );
}

function toPath(context: string | undefined, instancePath: string): string {
  const inner = instancePath.replace(/^\//, '').split('/').filter(Boolean).join('.');
  if (!context || context === 'body') return inner || '(body)';
  const prefix = context === 'querystring' ? 'query' : context;
  return inner ? `${prefix}.${inner}` : prefix;
}

/**
 * Renders every failure in the contract's error shape. 5xx bodies never carry internals; the log does.
 */
async function errorHandlerPlugin(app: FastifyInstance) {
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    if (error instanceof HttpError) {
      if (error.headers) reply.headers(error.headers);
      return reply.status(error.statusCode).send({
        error: {
          code: error.code,
          message: error.message,
          ...(error.details ? { details: error.details } : {}),
        },
      });
    }
    if (hasZodFastifySchemaValidationErrors(error)) {
      const details: ErrorDetail[] = error.validation.map((v) => ({
        path: toPath(error.validationContext, v.instancePath),
        message: v.message ?? 'invalid',
      }));
      return reply.status(400).send({
        error: { code: 'validation_failed', message: 'The request does not match the schema.', details },
      });
    }
    if (isResponseSerializationError(error as never)) {
      request.log.error({ err: error }, 'response did not match its schema');
      return reply.status(500).send({ error: { code: 'internal', message: 'Internal error.' } });
    }
    const status = error.statusCode ?? 500;
    switch (error.code) {
      case 'FST_ERR_CTP_BODY_TOO_LARGE':
        return reply.status(413).send({
          error: {
            code: 'payload_too_large',
            message: `Body is over the limit of ${request.routeOptions.bodyLimit ?? app.initialConfig.bodyLimit} bytes.`,
          },
        });
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
        return reply.status(415).send({
          error: {
            code: 'unsupported_media_type',
            message: `Content type ${JSON.stringify(request.headers['content-type'] ?? '')} is not supported here.`,
          },
        });
      case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      case 'FST_ERR_CTP_INVALID_JSON_BODY':
        return reply.status(400).send({
          error: {
            code: 'validation_failed',
            message: 'Malformed JSON body.',
            details: [{ path: '(body)', message: error.message }],
          },
        });
    }
    if (error instanceof SyntaxError && status === 400) {
      return reply.status(400).send({
        error: {
          code: 'validation_failed',
          message: 'Malformed JSON body.',
          details: [{ path: '(body)', message: error.message }],
        },
      });
    }
    if (status === 429) {
      return reply.status(429).send({ error: { code: 'rate_limited', message: error.message } });
    }
    if (status >= 400 && status < 500) {
      return reply
        .status(status)
        .send({ error: { code: error.code?.toLowerCase() ?? 'bad_request', message: error.message } });
    }
    if (isDatabaseUnavailable(error)) {
      request.log.error({ err: error }, 'database unavailable');
      return reply.status(503).send({
        error: {
          code: 'unavailable',
          message: 'The database is unavailable; nothing was stored. Retry shortly.',
        },
      });
    }
    request.log.error({ err: error }, 'unhandled error');
    return reply.status(500).send({ error: { code: 'internal', message: 'Internal error.' } });
  });

  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send({
      error: { code: 'not_found', message: `No route for ${request.method} ${request.url.split('?')[0]}.` },
    }),
  );
}

export default fp(errorHandlerPlugin, { name: 'candor-error-handler', fastify: '5.x' });
