import { arrayContains, arrayOverlaps, type SQL, sql } from 'drizzle-orm';
import { inTextArray } from '../db/arrays.js';
import { contacts, customers } from '../db/schema.js';
import { badRequest, type ErrorDetail } from '../http/errors.js';
import { affectedCustomerWhere, type IncidentScope } from './affected.js';

/**
 * A segment rule, stored as JSON in `segments.rule` and evaluated in SQL over one contact row joined to
 * its customer. For the list fields (`regions`, `components`) `in` means "shares at least one value" and
 * `eq` means "contains this value"; `locale` is the contact's own locale, else its customer's.
 */
export type Rule =
  | { all: Rule[] }
  | { any: Rule[] }
  | { not: Rule }
  | { affected: boolean }
  | { field: string; in: Scalar[] }
  | { field: string; eq: Scalar }
  | { field: string; exists: boolean };

export type Scalar = string | number | boolean;

const TEXT_FIELDS = ['tier', 'locale'] as const;
const LIST_FIELDS = ['regions', 'components'] as const;
const ATTRIBUTE_KEY = /^[A-Za-z0-9_-]{1,64}$/;
const FIELD_HELP = 'one of tier, locale, regions, components, attributes.<key>';
/** Deep enough for any real audience, shallow enough that a hostile rule cannot blow the stack or the planner. */
const MAX_DEPTH = 8;
const MAX_VALUES = 500;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isScalar = (v: unknown): v is Scalar =>
  typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';

function fieldProblem(field: unknown): string | undefined {
  if (typeof field !== 'string') return `expected ${FIELD_HELP}`;
  if (
    (TEXT_FIELDS as readonly string[]).includes(field) ||
    (LIST_FIELDS as readonly string[]).includes(field)
  )
    return undefined;
  if (field.startsWith('attributes.') && ATTRIBUTE_KEY.test(field.slice('attributes.'.length)))
    return undefined;
  return `unknown field "${field}": expected ${FIELD_HELP}`;
}

/** Attributes hold any JSON scalar; the customer's own columns hold text only. */
function valueProblem(field: string, value: unknown): string | undefined {
  if (field.startsWith('attributes.'))
    return isScalar(value) ? undefined : 'expected a string, number or boolean';
  return typeof value === 'string' ? undefined : 'expected a string';
}

function check(value: unknown, path: string, depth: number, problems: ErrorDetail[]): void {
  if (depth > MAX_DEPTH) {
    problems.push({ path, message: `rules may nest at most ${MAX_DEPTH} levels` });
    return;
  }
  if (!isObject(value)) {
    problems.push({ path, message: 'expected a rule object' });
    return;
  }
  const keys = Object.keys(value);
  const extra = (allowed: string[]) => {
    for (const key of keys)
      if (!allowed.includes(key)) problems.push({ path: `${path}.${key}`, message: 'unknown operator' });
  };
  if ('all' in value || 'any' in value) {
    const op = 'all' in value ? 'all' : 'any';
    extra([op]);
    const list = value[op];
    if (!Array.isArray(list) || list.length === 0)
      problems.push({ path: `${path}.${op}`, message: 'expected a non-empty array of rules' });
    else
      list.forEach((item, i) => {
        check(item, `${path}.${op}.${i}`, depth + 1, problems);
      });
  } else if ('not' in value) {
    extra(['not']);
    check(value.not, `${path}.not`, depth + 1, problems);
  } else if ('affected' in value) {
    extra(['affected']);
    if (typeof value.affected !== 'boolean')
      problems.push({ path: `${path}.affected`, message: 'expected true or false' });
  } else if ('field' in value) {
    const problem = fieldProblem(value.field);
    if (problem) problems.push({ path: `${path}.field`, message: problem });
    const ops = keys.filter((k) => k !== 'field');
    if (ops.length !== 1 || !['in', 'eq', 'exists'].includes(ops[0]!)) {
      extra(['field', 'in', 'eq', 'exists']);
      if (ops.length !== 1) problems.push({ path, message: 'expected exactly one of in, eq, exists' });
      return;
    }
    const field = String(value.field);
    if ('in' in value) {
      const list = value.in;
      if (!Array.isArray(list) || list.length === 0 || list.length > MAX_VALUES)
        problems.push({ path: `${path}.in`, message: `expected 1 to ${MAX_VALUES} values` });
      else if (!problem)
        list.forEach((v, i) => {
          const p = valueProblem(field, v);
          if (p) problems.push({ path: `${path}.in.${i}`, message: p });
        });
    } else if ('eq' in value) {
      const p = problem ? undefined : valueProblem(field, value.eq);
      if (p) problems.push({ path: `${path}.eq`, message: p });
    } else if (typeof value.exists !== 'boolean')
      problems.push({ path: `${path}.exists`, message: 'expected true or false' });
  } else {
    problems.push({ path, message: 'expected one of all, any, not, affected, field' });
  }
}

/** Validates untrusted JSON as a rule; a bad rule is a 400 listing every problem with its path. */
export function parseRule(value: unknown, path = 'rule'): Rule {
  const problems: ErrorDetail[] = [];
  check(value, path, 0, problems);
  if (problems.length > 0) throw badRequest('Invalid segment rule.', problems);
  return value as Rule;
}

/** Whether evaluating the rule needs an incident (an `affected` test anywhere in it). */
export function usesAffected(rule: Rule): boolean {
  if ('all' in rule) return rule.all.some(usesAffected);
  if ('any' in rule) return rule.any.some(usesAffected);
  if ('not' in rule) return usesAffected(rule.not);
  return 'affected' in rule;
}

const TRUE = sql`true`;
const effectiveLocale = sql`coalesce(${contacts.locale}, ${customers.locale})`;

function textColumn(field: 'tier' | 'locale'): SQL {
  return field === 'tier' ? sql`${customers.tier}` : effectiveLocale;
}

function compileField(rule: Extract<Rule, { field: string }>): SQL {
  const { field } = rule;
  if (field.startsWith('attributes.')) {
    const key = field.slice('attributes.'.length);
    const value = sql`(${customers.attributes} -> ${key})`;
    if ('exists' in rule) return rule.exists ? sql`${value} is not null` : sql`${value} is null`;
    const values = 'in' in rule ? rule.in : [rule.eq];
    // One jsonb parameter whatever the list length; jsonb equality keeps 1 and "1" apart, as JSON does.
    return sql`coalesce(${value} in (select jsonb_array_elements(${JSON.stringify(values)}::jsonb)), false)`;
  }
  if (field === 'regions' || field === 'components') {
    const column = customers[field];
    if ('exists' in rule)
      return rule.exists ? sql`cardinality(${column}) > 0` : sql`cardinality(${column}) = 0`;
    if ('in' in rule) return arrayOverlaps(column, rule.in.map(String));
    return arrayContains(column, [String(rule.eq)]);
  }
  const column = textColumn(field as 'tier' | 'locale');
  if ('exists' in rule) return rule.exists ? sql`${column} is not null` : sql`${column} is null`;
  const values = 'in' in rule ? rule.in.map(String) : [String(rule.eq)];
  return sql`coalesce(${inTextArray(column, values)}, false)`;
}

/**
 * Compiles a validated rule to a boolean SQL condition over `contacts` joined to `customers` that is
 * never NULL, so `not` and the first-match CASE of the segment audience stay two-valued. `scope` is the
 * incident that `affected` refers to; without one, a rule using `affected` is a caller error.
 */
export function compileRule(rule: Rule, scope: IncidentScope | undefined): SQL {
  if ('all' in rule)
    return sql`(${sql.join(
      rule.all.map((r) => compileRule(r, scope)),
      sql` and `,
    )})`;
  if ('any' in rule)
    return sql`(${sql.join(
      rule.any.map((r) => compileRule(r, scope)),
      sql` or `,
    )})`;
  if ('not' in rule) return sql`(not ${compileRule(rule.not, scope)})`;
  if ('affected' in rule) {
    if (!scope) throw new Error('compileRule: an "affected" rule needs an incident scope');
    const affected = affectedCustomerWhere(scope) ?? TRUE;
    return rule.affected ? sql`(${affected})` : sql`(not ${affected})`;
  }
  return compileField(rule);
}
