import { z } from 'zod';
import { resolveLocale } from '../../emails/i18n/index.js';
import { BoundedCache } from '../lib/bounded-cache.js';
import { canonicalJson } from '../lib/canonical-json.js';
import {
  type PreparedEmail,
  prepareEmail,
  type RecipientValues,
  type RenderedEmail,
  renderFull,
  shapeOf,
} from './personalise.js';
import {
  isTemplateName,
  type RecipientField,
  registry,
  resolveVariant,
  type TemplateDefinition,
} from './registry.js';
import { recipientShape, schemas } from './schemas.js';

export type { PreparedEmail, RecipientValues, RenderedEmail } from './personalise.js';
export { asciiHtml, escapeHtml, prepareEmail } from './personalise.js';
export {
  isTemplateName,
  type RecipientField,
  registry,
  resolveVariant,
  type TemplateName,
  templateNames,
} from './registry.js';

/** A stored version's props could not be rendered: the content needs fixing, retrying will not help. */
export class TemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemplateError';
  }
}

export interface RenderOptions {
  /**
   * The segment's `template` field (or a bare variant name): picks `affected-enterprise`, `affected`
   * or `unaffected` copy. Default: the `variant` prop, else `affected`.
   */
  variant?: string | null | undefined;
  /**
   * The recipient's locale, the contact's if set, else the customer's (`de`, `de-AT`, …). Default:
   * the version's `lang` prop, else English.
   */
  locale?: string | null | undefined;
}

interface Parsed {
  def: TemplateDefinition;
  shared: Record<string, unknown>;
  recipient: RecipientValues;
  /** The version's own subject, used when the recipient reads the language it was written in. */
  subject: string | undefined;
}

function parse(template: string, input: Record<string, unknown>, options: RenderOptions): Parsed {
  if (!isTemplateName(template)) throw new TemplateError(`unknown template ${JSON.stringify(template)}`);
  const def = registry[template];
  const parsed = schemas[template].safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(props)'}: ${i.message}`);
    throw new TemplateError(`${template} props are invalid: ${problems.join('; ')}`);
  }
  const versionLang = typeof input.lang === 'string' ? input.lang : undefined;
  const locale = resolveLocale(options.locale ?? versionLang);
  const variant = resolveVariant(options.variant ?? (input.variant as string | undefined));
  const all: Record<string, unknown> = { ...parsed.data, lang: locale };
  if (def.variants.includes(variant)) all.variant = variant;
  const shared: Record<string, unknown> = {};
  const recipient: RecipientValues = {};
  for (const [key, value] of Object.entries(all)) {
    if (value === undefined) continue;
    if ((def.recipientFields as readonly string[]).includes(key)) {
      recipient[key as keyof RecipientValues] = value as string;
    } else shared[key] = value;
  }
  const subject =
    !def.ownsSubject &&
    typeof input.subject === 'string' &&
    input.subject.trim() &&
    locale === resolveLocale(versionLang)
      ? input.subject.replace(/\s+/g, ' ').trim()
      : undefined;
  return { def, shared, recipient, subject };
}

interface SharedEntry {
  parsed: Omit<Parsed, 'recipient'>;
  byShape: Map<string, Promise<PreparedEmail>>;
}

const SHARED_CACHE_SIZE = 128;
const sharedCache = new BoundedCache<string, SharedEntry>(SHARED_CACHE_SIZE);
const recipientSchema = z.object(recipientShape).partial();
const requiredRecipientFields = ['customerName', 'unsubscribeUrl'] as const;

/**
 * Renders a stored communication version for one recipient by render-once personalisation. `props` is
 * the version's JSON props plus the recipient fields (`customerName`, `contactName?`,
 * `unsubscribeUrl`, `reason?`, `accountManager?`); a `subject` prop (the version's subject) overrides
 * the catalogue's subject for readers of the version's language, and a `body` prop (a staff edit)
 * overrides `message`. Throws `TemplateError` for an unknown template or invalid props.
 *
 * The first recipient of a (template, shared content, variant, locale) validates everything and
 * renders once per recipient shape (which optional fields are present); later recipients only have
 * their own fields cleaned and substituted.
 */
export function renderCommunication(
  template: string,
  props: Record<string, unknown>,
  options: RenderOptions = {},
): Promise<RenderedEmail> {
  return versionRenderer(template, props)({}, options);
}

/** Renders one version for one recipient: recipient fields, then the reader's variant and locale. */
export type VersionRenderer = (
  recipient: Partial<Record<RecipientField, unknown>>,
  options?: RenderOptions,
) => Promise<RenderedEmail>;

/**
 * `renderCommunication` for many recipients of the same props: the props are split and their shared
 * part serialised into the cache key once, not once per recipient (a send batch renders one version
 * for 100 recipients). Recipient fields given per call override those in `props`, `undefined`
 * included.
 */
export function versionRenderer(template: string, props: Record<string, unknown>): VersionRenderer {
  const fields = isTemplateName(template) ? (registry[template].recipientFields as readonly string[]) : [];
  const sharedInput: Record<string, unknown> = {};
  const recipientDefaults: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(props)) {
    if (fields.includes(k)) recipientDefaults[k] = v;
    else sharedInput[k] = v;
  }
  const sharedJson = canonicalJson(sharedInput);
  // This renderer's own view of the shared cache, by variant and locale: no long key to hash per call.
  const entries = new Map<string, SharedEntry>();
  return async (given, options = {}) => {
    const recipientInput = { ...recipientDefaults, ...given };
    const optionsKey = `${options.variant ?? ''}|${options.locale ?? ''}`;
    const key = `${template}|${optionsKey}|${sharedJson}`;
    let entry = entries.get(optionsKey) ?? sharedCache.get(key);
    let recipient: RecipientValues;
    if (entry) {
      const cleaned = recipientSchema.safeParse(recipientInput);
      const complete =
        cleaned.success && requiredRecipientFields.every((f) => !fields.includes(f) || cleaned.data[f]);
      // Invalid recipient values: the full parse reports them precisely (and throws).
      recipient = complete
        ? Object.fromEntries(Object.entries(cleaned.data).filter(([, v]) => v !== undefined))
        : parse(template, { ...sharedInput, ...recipientInput }, options).recipient;
    } else {
      const { recipient: r, ...parsed } = parse(template, { ...sharedInput, ...recipientInput }, options);
      recipient = r;
      entry = { parsed, byShape: new Map() };
      sharedCache.set(key, entry);
    }
    entries.set(optionsKey, entry);
    const shape = shapeOf(entry.parsed.def.recipientFields, recipient);
    const shapeKey = shape.join(',');
    let prepared = entry.byShape.get(shapeKey);
    if (!prepared) {
      prepared = prepareEmail(entry.parsed.def, entry.parsed.shared, shape);
      const failed = entry.byShape;
      prepared.catch(() => failed.delete(shapeKey));
      entry.byShape.set(shapeKey, prepared);
    }
    const rendered = (await prepared).personalise(recipient);
    return entry.parsed.subject ? { ...rendered, subject: entry.parsed.subject } : rendered;
  };
}

/** The same e-mail as `renderCommunication`, rendered in full for this one recipient (no cache). */
export async function renderEmail(
  template: string,
  props: Record<string, unknown>,
  options: RenderOptions = {},
): Promise<RenderedEmail> {
  const parsed = parse(template, props, options);
  const rendered = await renderFull(parsed.def, { ...parsed.shared, ...parsed.recipient });
  return parsed.subject ? { ...rendered, subject: parsed.subject } : rendered;
}

/** Empties the render-once cache (tests and benchmarks measure cold renders with it). */
export function clearRenderCache(): void {
  sharedCache.clear();
}
