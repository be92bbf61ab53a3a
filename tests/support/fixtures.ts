import type { FastifyInstance } from 'fastify';

export const BOOTSTRAP_KEY = 'test-bootstrap-key-0123456789';
export const auth = { authorization: `Bearer ${BOOTSTRAP_KEY}` };

let counter = 0;

/** A valid incident event; `overrides.incident` is merged into the default incident. */
export function incidentEvent(overrides: Record<string, unknown> = {}) {
  const { incident, ...rest } = overrides as { incident?: Record<string, unknown> };
  counter++;
  return {
    id: `evt_${Date.now()}_${counter}`,
    type: 'incident.investigating',
    occurred_at: '2017-05-15T14:02:00Z',
    incident: {
      ref: 'db-freeze-2017-05-15',
      title: 'Errors loading the help desk',
      severity: 'major',
      components: ['helpdesk', 'api'],
      regions: ['us'],
      started_at: '2017-05-15T14:00:00Z',
      ...incident,
    },
    message: 'Some customers in the US see errors. We are investigating.',
    notify: true,
    ...rest,
  };
}

/**
 * Four customers: two affected (Northwind, enterprise, with two contacts; Globex, pro), one in another
 * region, one on another component.
 */
export async function seedAudience(app: FastifyInstance) {
  const customers = [
    {
      ref: 'northwind',
      name: 'Northwind',
      tier: 'enterprise',
      regions: ['us'],
      components: ['helpdesk'],
      contacts: [
        { email: 'ops@northwind.example', name: 'Nora Ops' },
        { email: 'cto@northwind.example', name: 'Chidi Okafor' },
      ],
    },
    {
      ref: 'globex',
      name: 'Globex <Labs> & "Co"',
      tier: 'pro',
      regions: ['us', 'eu'],
      components: ['api'],
      contacts: [{ email: 'it@globex.example' }],
    },
    {
      ref: 'initech',
      name: 'Initech',
      tier: 'pro',
      regions: ['eu'],
      components: ['helpdesk'],
      contacts: [{ email: 'bill@initech.example' }],
    },
    {
      ref: 'umbrella',
      name: 'Umbrella',
      tier: 'free',
      regions: ['us'],
      components: ['chat'],
      contacts: [{ email: 'alice@umbrella.example' }],
    },
  ];
  const response = await app.inject({
    method: 'POST',
    url: '/v1/customers/import',
    headers: auth,
    payload: customers,
  });
  if (response.statusCode !== 200) throw new Error(`seeding audience failed: ${response.body}`);
  return {
    affectedEmails: ['cto@northwind.example', 'it@globex.example', 'ops@northwind.example'],
    /** What the default segments make of an incident in us on helpdesk+api. */
    segments: { 'affected-enterprise': 2, affected: 1 },
  };
}
