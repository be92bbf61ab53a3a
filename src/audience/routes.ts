import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { badRequest } from '../http/errors.js';
import { listQuerySchema, pageOf } from '../http/pagination.js';
import { errorResponses } from '../http/schemas.js';
import { importCustomersCsv } from './csv.js';
import { getCustomer, importCustomers, listCustomers, MAX_IMPORT_ROWS, upsertCustomer } from './customers.js';
import {
  customerBodySchema,
  customerSchema,
  importResultSchema,
  refSchema,
  upsertResponseSchema,
} from './schemas.js';

/** Imports are whole customer lists; 50 MiB holds 50,000 customers with a few contacts each. */
export const IMPORT_BODY_LIMIT_BYTES = 50 * 1024 * 1024;

const { 422: errorBody, ...otherErrors } = errorResponses;
/** The import's 422 is still the contract's error body, and also carries the per-row result. */
const importRejectedSchema = importResultSchema.extend(errorBody.shape);

export default async function audienceRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();

  // Registered in this plugin only: no other route accepts CSV.
  app.addContentTypeParser('text/csv', { parseAs: 'string' }, (_request, body, done) => done(null, body));

  app.put(
    '/v1/customers/:ref',
    {
      preHandler: app.authorize({ scope: 'audience:write' }),
      schema: {
        tags: ['audience'],
        summary: 'Create or replace a customer and its contacts',
        description:
          'Upsert on `ref`. The contact list replaces the stored one; contacts that already received mail are unsubscribed instead of deleted. Re-sending a contact never resubscribes it. 201 when created, 200 when updated.',
        params: z.object({ ref: refSchema }),
        body: customerBodySchema,
        response: { 200: upsertResponseSchema, 201: upsertResponseSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const result = await upsertCustomer(app.deps.database.db, { ...request.body, ref: request.params.ref });
      return reply.status(result.created ? 201 : 200).send(result);
    },
  );

  app.post(
    '/v1/customers/import',
    {
      preHandler: app.authorize({ scope: 'audience:write' }),
      bodyLimit: IMPORT_BODY_LIMIT_BYTES,
      schema: {
        tags: ['audience'],
        summary: 'Import customers in bulk (JSON array or CSV)',
        description: [
          '`application/json`: an array of `PUT /v1/customers/:ref` bodies, each with its `ref`; `row` is the 1-based position in the array.',
          '`text/csv`: one row per contact, header `ref,name,tier,regions,components,locale,contact_email,contact_name,contact_role` (`|` separates list values; rows sharing a ref are one customer; extra columns become attributes); `row` counts the header as row 1.',
          `Valid customers are written even when others are rejected: 200 with the rejected rows listed; 422 only when rows were rejected and none was accepted.`,
          `At most ${MAX_IMPORT_ROWS} rows (413 \`too_many_rows\`) and ${IMPORT_BODY_LIMIT_BYTES / 1024 / 1024} MiB per request.`,
        ].join('\n\n'),
        body: z.union([z.array(z.unknown()), z.string()]),
        response: { 200: importResultSchema, 422: importRejectedSchema, ...otherErrors },
      },
    },
    async (request, reply) => {
      const db = app.deps.database.db;
      const body = request.body;
      const csv = /^text\/csv\b/i.test(request.headers['content-type'] ?? '');
      // A JSON string body matches the union too; only a CSV content type makes text a CSV file.
      if (csv !== (typeof body === 'string'))
        throw badRequest('Expected a JSON array or a text/csv body.', [
          { path: '(body)', message: 'expected an array' },
        ]);
      const result =
        typeof body === 'string' ? await importCustomersCsv(db, body) : await importCustomers(db, body);
      if (result.created + result.updated === 0 && result.rejected.length > 0) {
        return reply.status(422).send({
          ...result,
          error: {
            code: 'no_valid_rows',
            message: `Nothing was imported: all ${result.rejected.length} rows were rejected (see details).`,
            details: result.rejected,
          },
        });
      }
      return result;
    },
  );

  app.get(
    '/v1/customers',
    {
      preHandler: app.authorize({ scope: 'read' }),
      schema: {
        tags: ['audience'],
        summary: 'List customers with their contacts',
        description: '`q` matches part of the ref, the name or a contact address. Oldest first.',
        querystring: listQuerySchema.extend({ q: z.string().max(200).optional() }),
        response: { 200: pageOf(customerSchema), ...errorResponses },
      },
    },
    async (request) => listCustomers(app.deps.database.db, request.query),
  );

  app.get(
    '/v1/customers/:ref',
    {
      preHandler: app.authorize({ scope: 'read' }),
      schema: {
        tags: ['audience'],
        summary: 'A customer with its contacts',
        params: z.object({ ref: refSchema }),
        response: { 200: customerSchema, ...errorResponses },
      },
    },
    async (request) => getCustomer(app.deps.database.db, request.params.ref),
  );
}
