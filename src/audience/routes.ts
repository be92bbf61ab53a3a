import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { listQuerySchema, pageOf } from '../http/pagination.js';
import { errorResponses } from '../http/schemas.js';
import { importCustomersCsv } from './csv.js';
import { csvTooLarge } from './csv-records.js';
import { getCustomer, importCustomers, listCustomers, MAX_IMPORT_ROWS, upsertCustomer } from './customers.js';
import {
  customerBodySchema,
  customerSchema,
  importResultSchema,
  refSchema,
  upsertResponseSchema,
} from './schemas.js';
import { customersInSegmentWhere, incidentScope } from './segment-audience.js';
import segmentRoutes from './segment-routes.js';

/** Imports are whole customer lists; 50 MiB holds 50,000 customers with a few contacts each. */
export const IMPORT_BODY_LIMIT_BYTES = 50 * 1024 * 1024;

const { 422: errorBody, ...otherErrors } = errorResponses;
/** The import's 422 is still the contract's error body, and also carries the per-row result. */
const importRejectedSchema = importResultSchema.extend(errorBody.shape);

export default async function audienceRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();

  // Registered in this plugin only: no other route accepts CSV. The body stays a stream, read record by
  // record by the import; Fastify enforces bodyLimit only for buffered bodies, so a declared length is
  // checked here and the streamed bytes are counted by the import itself.
  app.addContentTypeParser('text/csv', (request, payload, done) => {
    const limit = request.routeOptions.bodyLimit ?? IMPORT_BODY_LIMIT_BYTES;
    const declared = Number(request.headers['content-length'] ?? 0);
    if (declared > limit) done(csvTooLarge(limit));
    else done(null, payload);
  });

  await app.register(segmentRoutes);

  app.put(
    '/v1/customers/:ref',
    {
      preHandler: app.authorize({ scope: 'audience:write' }),
      schema: {
        tags: ['audience'],
        summary: 'Create or replace a customer and its contacts',
        description:
          'Upsert on `ref`. The contact list replaces the stored one: contacts left out are marked removed (kept for delivery history, never mailed) and come back when listed again. Listing a contact never resubscribes it. 201 when created, 200 when updated.',
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
        // A CSV body reaches the handler as the request stream; the OpenAPI document describes it as text.
        body: z.union([z.array(z.unknown()), z.instanceof(Readable).meta({ type: 'string' })]),
        response: { 200: importResultSchema, 422: importRejectedSchema, ...otherErrors },
      },
    },
    async (request, reply) => {
      const db = app.deps.database.db;
      const body = request.body;
      const result =
        body instanceof Readable
          ? await importCustomersCsv(db, body, {
              maxBytes: request.routeOptions.bodyLimit ?? IMPORT_BODY_LIMIT_BYTES,
            })
          : await importCustomers(db, body);
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
        description:
          '`q` matches part of the ref, the name or a contact address. `segment` keeps customers with a listed contact in that segment; a segment whose rules use `affected` needs `incident_id`. Oldest first.',
        querystring: listQuerySchema.extend({
          q: z.string().max(200).optional(),
          segment: z.string().min(1).max(64).optional(),
          incident_id: z.string().min(1).max(100).optional(),
        }),
        response: { 200: pageOf(customerSchema), ...errorResponses },
      },
    },
    async (request) => {
      const db = app.deps.database.db;
      const { segment, incident_id: incidentId, ...page } = request.query;
      const scope = incidentId === undefined ? undefined : await incidentScope(db, incidentId);
      const where = segment === undefined ? undefined : await customersInSegmentWhere(db, segment, scope);
      return listCustomers(db, { ...page, where });
    },
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
