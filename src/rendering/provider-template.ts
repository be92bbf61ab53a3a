import { createHash } from 'node:crypto';
import type { RecipientField } from './registry.js';

/**
 * A prepared e-mail's shared body with named variables where the recipient's values go, for a provider
 * that renders templates itself (Resend's `{{{NAME}}}`). Sending the template's name and the values
 * instead of the finished HTML cuts a 100-message batch from ~900 KB to ~100 KB.
 */
export interface ProviderTemplate {
  /** A hash of the body: the same body always maps to the same provider template, in every process. */
  key: string;
  /** What a person browsing the provider's templates sees: template, variant, language and key. */
  name: string;
  html: string;
  text: string;
  /** Every variable `html` and `text` use, each to be given a value with every e-mail. */
  variables: string[];
}

/** One e-mail's body as a provider template and this recipient's values. */
export interface TemplatedBody {
  template: ProviderTemplate;
  variables: Record<string, string>;
}

/** A finished string cut at its slots: `parts[0] slot[0] parts[1] … parts[n]`. */
export interface Compiled {
  parts: string[];
  slots: number[];
}

/**
 * Resend reserves FIRST_NAME, LAST_NAME, EMAIL and UNSUBSCRIBE_URL for its own contacts, so Candor's
 * names carry a prefix. HTML gets its own escaped copy of each value; the text part takes it raw.
 */
export function variableName(field: RecipientField, html: boolean): string {
  const snake = field.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase();
  return `CANDOR_${snake}${html ? '_HTML' : ''}`;
}

/**
 * Copy a person wrote could contain `{{` or `}}`, which the provider's template language would read as
 * its own tags; such a body is sent finished instead. A part ending in `{` or starting with `}` would
 * run into the variable's own braces.
 */
function templateSafe({ parts }: Compiled): boolean {
  return parts.every(
    (part, i) =>
      !part.includes('{{') &&
      !part.includes('}}') &&
      !(i < parts.length - 1 && part.endsWith('{')) &&
      !(i > 0 && part.startsWith('}')),
  );
}

function withVariables({ parts, slots }: Compiled, names: readonly string[]): string {
  let out = parts[0]!;
  for (let i = 0; i < slots.length; i++) out += `{{{${names[slots[i]!]!}}}}${parts[i + 1]!}`;
  return out;
}

/** A body's template and how to fill its variables for one recipient. */
export interface PreparedTemplate {
  template: ProviderTemplate;
  /** Values by variable name, from the shape's values: `raw` for text, `html` escaped for HTML. */
  valuesOf(raw: readonly string[], html: readonly string[]): Record<string, string>;
}

/** The template of a prepared body, or undefined when its copy is not safe to send as one. */
export function providerTemplateOf(
  label: string,
  shape: readonly RecipientField[],
  html: Compiled,
  text: Compiled,
): PreparedTemplate | undefined {
  if (!templateSafe(html) || !templateSafe(text)) return undefined;
  const htmlNames = shape.map((field) => variableName(field, true));
  const textNames = shape.map((field) => variableName(field, false));
  const templateHtml = withVariables(html, htmlNames);
  const templateText = withVariables(text, textNames);
  const variables = [
    ...new Set([...html.slots.map((s) => htmlNames[s]!), ...text.slots.map((s) => textNames[s]!)]),
  ];
  const key = createHash('sha256')
    .update(templateHtml)
    .update('\0')
    .update(templateText)
    .digest('hex')
    .slice(0, 32);
  const name = `Candor ${label} ${key.slice(0, 8)}`;
  // Only the variables the body uses, each named once here rather than once per recipient.
  const usedHtml = shape.flatMap((_, i) => (variables.includes(htmlNames[i]!) ? [i] : []));
  const usedText = shape.flatMap((_, i) => (variables.includes(textNames[i]!) ? [i] : []));
  return {
    template: { key, name, html: templateHtml, text: templateText, variables },
    valuesOf(raw, htmlValues) {
      const values: Record<string, string> = {};
      for (const i of usedHtml) values[htmlNames[i]!] = htmlValues[i]!;
      for (const i of usedText) values[textNames[i]!] = raw[i]!;
      return values;
    },
  };
}
