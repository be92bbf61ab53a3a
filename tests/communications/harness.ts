import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import authPlugin from '../../src/auth/plugin.js';
import previewRoutes from '../../src/communications/preview-routes.js';
import { newId } from '../../src/db/ids.js';
import {
  communications,
  communicationVersions,
  contacts,
  customers,
  incidents,
  messages,
  segments,
} from '../../src/db/schema.js';
import errorHandler from '../../src/http/error-handler.js';
import type { TestDeps } from '../support/deps.js';

/**
 * Only the plugins preview and lint need: these tests stay independent of the event-ingest and
 * send-policy modules, which other work changes concurrently.
 */
export async function previewApp(deps: TestDeps): Promise<FastifyInstance> {
  const app = Fastify({ loggerInstance: deps.logger as FastifyBaseLogger });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.decorate('deps', deps);
  await app.register(errorHandler);
  await app.register(authPlugin);
  await app.register(previewRoutes);
  return app;
}

type Db = TestDeps['database']['db'];

export async function insertCustomer(
  db: Db,
  c: { ref: string; name: string; tier?: string; locale?: string; attributes?: Record<string, unknown> },
  people: { email: string; name?: string; locale?: string }[],
) {
  const id = newId('cus');
  await db.insert(customers).values({
    id,
    ref: c.ref,
    name: c.name,
    tier: c.tier ?? 'pro',
    regions: ['us'],
    components: ['helpdesk'],
    locale: c.locale ?? null,
    attributes: c.attributes ?? {},
  });
  const contactIds: string[] = [];
  for (const p of people) {
    const contactId = newId('con');
    contactIds.push(contactId);
    await db.insert(contacts).values({
      id: contactId,
      customerId: id,
      email: p.email,
      name: p.name ?? null,
      locale: p.locale ?? null,
    });
  }
  return { id, contactIds };
}

export async function insertIncident(db: Db, ref: string) {
  const id = newId('inc');
  await db.insert(incidents).values({
    id,
    source: 'test',
    ref,
    title: 'Errors loading the help desk',
    severity: 'major',
    status: 'investigating',
    components: ['helpdesk'],
    regions: ['us'],
    startedAt: new Date('2017-05-15T14:00:00Z'),
  });
  return id;
}

export async function insertCommunication(
  db: Db,
  incidentId: string,
  options: {
    kind?: 'notice' | 'apology';
    segment?: string;
    template?: string;
    props?: Record<string, unknown>;
    subject?: string;
    body?: string | null;
  } = {},
) {
  const id = newId('com');
  await db.insert(communications).values({
    id,
    incidentId,
    kind: options.kind ?? 'notice',
    segment: options.segment ?? 'affected',
    status: 'scheduled',
    from: 'Acme Status <status@acme.example>',
  });
  await db.insert(communicationVersions).values({
    id: newId('ver'),
    communicationId: id,
    version: 1,
    template: options.template ?? 'incident-notice',
    subject: options.subject ?? 'Acme incident: Errors loading the help desk',
    body: options.body ?? null,
    props: options.props ?? {
      title: 'Errors loading the help desk',
      status: 'investigating',
      severity: 'major',
      message: 'Some customers in the US see errors. We are investigating.',
      components: ['helpdesk'],
      regions: ['us'],
      startedAt: '2017-05-15T14:00:00.000Z',
      companyName: 'Acme',
    },
    contentHash: 'x',
  });
  return id;
}

export async function insertMessage(
  db: Db,
  m: { communicationId: string; contactId: string; customerId: string; email: string; sentAt?: Date },
) {
  const id = newId('msg');
  await db.insert(messages).values({
    id,
    ...m,
    status: m.sentAt ? 'sent' : 'queued',
    replyTokenHash: id,
    messageIdHeader: `${id}@acme.example`,
    sentAt: m.sentAt ?? null,
  });
  return { id, header: `${id}@acme.example` };
}

export async function insertSegment(db: Db, key: string, template: string | null) {
  await db.insert(segments).values({ key, name: key, rule: {}, template });
}
