import { and, asc, eq, isNull } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IncidentScope } from '../../src/audience/affected.js';
import { importCustomers } from '../../src/audience/customers.js';
import { compileRule, parseRule, usesAffected } from '../../src/audience/segments.js';
import { contacts, customers } from '../../src/db/schema.js';
import { drivers, openTestDatabase, type TestDatabase } from '../support/database.js';

const problems = (rule: unknown) => {
  try {
    parseRule(rule);
  } catch (error) {
    const e = error as { statusCode: number; code: string; details: { path: string }[] };
    expect(e).toMatchObject({ statusCode: 400, code: 'validation_failed' });
    return e.details.map((d) => d.path);
  }
  throw new Error('expected the rule to be rejected');
};

describe('parseRule', () => {
  it('accepts every operator, nested', () => {
    const rule = {
      all: [
        { affected: true },
        {
          any: [
            { field: 'tier', in: ['enterprise'] },
            { field: 'attributes.plan', eq: 3 },
          ],
        },
        { not: { field: 'regions', exists: false } },
        { field: 'locale', eq: 'de' },
      ],
    };
    expect(parseRule(rule)).toEqual(rule);
    expect(usesAffected(parseRule(rule))).toBe(true);
    expect(usesAffected(parseRule({ not: { field: 'tier', eq: 'pro' } }))).toBe(false);
  });

  it('names the path of every problem', () => {
    expect(problems({ all: [{ affected: true }, { field: 'plan', in: ['x'] }] })).toEqual([
      'rule.all.1.field',
    ]);
    expect(problems({ any: [{ field: 'tier', like: 'x' }] })).toEqual(['rule.any.0.like']);
    expect(problems({ not: { affected: 'yes' } })).toEqual(['rule.not.affected']);
    expect(problems({ field: 'regions', in: ['us', 3] })).toEqual(['rule.in.1']);
    expect(problems({ field: 'tier', in: [] })).toEqual(['rule.in']);
    expect(problems({ all: [] })).toEqual(['rule.all']);
    expect(problems({ all: [{ affected: true }], extra: 1 })).toEqual(['rule.extra']);
    expect(problems({ field: 'attributes.a b', eq: 'x' })).toEqual(['rule.field']);
    expect(problems({ field: 'attributes.plan', eq: { nested: true } })).toEqual(['rule.eq']);
    expect(problems('tier = enterprise')).toEqual(['rule']);
    let deep: unknown = { affected: true };
    for (let i = 0; i < 10; i++) deep = { not: deep };
    expect(problems(deep)[0]).toMatch(/^rule(\.not)+$/);
  });
});

const c = (ref: string, tier: string, regions: string[], components: string[], extra: object = {}) => ({
  ref,
  name: ref,
  tier,
  regions,
  components,
  contacts: [{ email: `ops@${ref}.example` }],
  ...extra,
});

describe.each(drivers)('compileRule (%s)', (driver) => {
  let database: TestDatabase;
  const scope: IncidentScope = { regions: ['us'], components: ['helpdesk'] };

  /** Refs of the customers whose (single, listed) contact matches the rule, evaluated by the database. */
  async function matching(rule: unknown, incident: IncidentScope | undefined = scope): Promise<string[]> {
    const rows = await database.db
      .select({ ref: customers.ref })
      .from(contacts)
      .innerJoin(customers, eq(customers.id, contacts.customerId))
      .where(and(isNull(contacts.removedAt), compileRule(parseRule(rule), incident)))
      .orderBy(asc(customers.ref));
    return rows.map((r) => r.ref);
  }

  beforeAll(async () => {
    database = await openTestDatabase(driver);
    const result = await importCustomers(database.db, [
      c('a-ent-us', 'enterprise', ['us'], ['helpdesk'], {
        locale: 'de',
        attributes: { plan: 'annual', seats: 50 },
      }),
      c('b-pro-us-eu', 'pro', ['us', 'eu'], ['api', 'helpdesk'], {
        attributes: { plan: 'monthly', beta: true },
      }),
      c('c-pro-eu', 'pro', ['eu'], ['helpdesk'], {
        contacts: [{ email: 'ops@c-pro-eu.example', locale: 'fr' }],
        attributes: { seats: '50' },
      }),
      c('d-free-none', 'free', [], []),
    ]);
    expect(result.rejected).toEqual([]);
  });
  afterAll(async () => database?.close());

  it('evaluates field operators on text, list and attribute fields', async () => {
    expect(await matching({ field: 'tier', in: ['pro', 'free'] })).toEqual([
      'b-pro-us-eu',
      'c-pro-eu',
      'd-free-none',
    ]);
    expect(await matching({ field: 'tier', eq: 'enterprise' })).toEqual(['a-ent-us']);
    // The contact's own locale wins over its customer's.
    expect(await matching({ field: 'locale', eq: 'fr' })).toEqual(['c-pro-eu']);
    expect(await matching({ field: 'locale', exists: false })).toEqual(['b-pro-us-eu', 'd-free-none']);
    expect(await matching({ field: 'regions', in: ['eu', 'apac'] })).toEqual(['b-pro-us-eu', 'c-pro-eu']);
    expect(await matching({ field: 'components', eq: 'api' })).toEqual(['b-pro-us-eu']);
    expect(await matching({ field: 'regions', exists: false })).toEqual(['d-free-none']);
    expect(await matching({ field: 'attributes.plan', in: ['annual', 'monthly'] })).toEqual([
      'a-ent-us',
      'b-pro-us-eu',
    ]);
    // JSON types matter: 50 and "50" are different values.
    expect(await matching({ field: 'attributes.seats', eq: 50 })).toEqual(['a-ent-us']);
    expect(await matching({ field: 'attributes.seats', eq: '50' })).toEqual(['c-pro-eu']);
    expect(await matching({ field: 'attributes.beta', eq: true })).toEqual(['b-pro-us-eu']);
    expect(await matching({ field: 'attributes.seats', exists: true })).toEqual(['a-ent-us', 'c-pro-eu']);
  });

  it('evaluates affected like affected.ts, including empty incident lists as "all"', async () => {
    expect(await matching({ affected: true })).toEqual(['a-ent-us', 'b-pro-us-eu']);
    expect(await matching({ affected: false })).toEqual(['c-pro-eu', 'd-free-none']);
    expect(await matching({ affected: true }, { regions: [], components: ['api'] })).toEqual(['b-pro-us-eu']);
    expect(await matching({ affected: true }, { regions: [], components: [] })).toHaveLength(4);
    expect(() => compileRule({ affected: true }, undefined)).toThrow(/incident scope/);
  });

  it('combines with all, any and not, and "not" of a missing attribute is true (two-valued logic)', async () => {
    expect(
      await matching({
        all: [
          { affected: true },
          {
            any: [
              { field: 'tier', eq: 'enterprise' },
              { field: 'attributes.beta', eq: true },
            ],
          },
        ],
      }),
    ).toEqual(['a-ent-us', 'b-pro-us-eu']);
    expect(await matching({ not: { field: 'attributes.plan', eq: 'annual' } })).toEqual([
      'b-pro-us-eu',
      'c-pro-eu',
      'd-free-none',
    ]);
    expect(await matching({ not: { any: [{ affected: true }, { field: 'tier', eq: 'free' }] } })).toEqual([
      'c-pro-eu',
    ]);
  });
});
