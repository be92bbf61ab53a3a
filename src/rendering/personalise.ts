import { randomBytes } from 'node:crypto';
import { render } from '@react-email/render';
import { createElement } from 'react';
import { documentText } from '../../emails/components/document-text.js';
import { type Compiled, providerTemplateOf, type TemplatedBody } from './provider-template.js';
import type { RecipientField, TemplateDefinition } from './registry.js';

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
  /** The same body as a shared template and this recipient's values, when the copy allows one. */
  templated?: TemplatedBody;
}

export type RecipientValues = Partial<Record<RecipientField, string | undefined>>;

export interface PreparedEmail {
  subject: string;
  /** Pure string work: cheap enough to run for every recipient of a batch. */
  personalise(recipient: RecipientValues): RenderedEmail;
}

/** Exactly React DOM's text and attribute escaping, so substitution matches a full render. */
const htmlEscapes: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#x27;',
};
export const escapeHtml = (value: string) => value.replace(/[&<>"']/g, (c) => htmlEscapes[c] ?? c);

/**
 * Writes every character outside ASCII as a numeric character reference (a lone surrogate as U+FFFD,
 * what a browser or a UTF-8 encoder would make of it). The markup means the same: e-mail clients decode
 * references in text and attributes, and Candor's templates put nothing outside ASCII in `<style>` or
 * comments, where references would stay literal (the template tests check). Why: React Email's
 * preheader padding (no-break and zero-width spaces) and typographic punctuation put non-ASCII
 * characters into every message, which kept the whole send path off V8's fast paths — a string with
 * one character above U+00FF is stored two bytes per character, and any non-ASCII byte makes the HTTP
 * client's length count and UTF-8 encoding of a 100-message batch walk it character by character.
 * ASCII HTML costs a few bytes per accented letter and nothing in ASCII copy.
 */
export function asciiHtml(html: string): string {
  if (!/[^\0-\x7f]/.test(html)) return html;
  const referenced = html.replace(/[^\0-\x7f]/gu, (c) => {
    const point = c.codePointAt(0)!;
    return `&#${point >= 0xd800 && point <= 0xdfff ? 0xfffd : point};`;
  });
  // V8 keeps a string made from a two-byte one two-byte, even when it no longer needs to be.
  return Buffer.from(referenced, 'latin1').toString('latin1');
}

/** A value substituted into HTML: React DOM's escaping, then {@link asciiHtml}. */
const htmlValue = (value: string) => asciiHtml(escapeHtml(value));

function compile(source: string, pattern: RegExp): Compiled {
  const parts: string[] = [];
  const slots: number[] = [];
  let last = 0;
  for (const match of source.matchAll(pattern)) {
    parts.push(source.slice(last, match.index));
    slots.push(Number(match[1]));
    last = match.index + match[0].length;
  }
  parts.push(source.slice(last));
  return { parts, slots };
}

function fill({ parts, slots }: Compiled, values: readonly string[]): string {
  let out = parts[0]!;
  for (let i = 0; i < slots.length; i++) out += values[slots[i]!]! + parts[i + 1]!;
  return out;
}

/** Which optional recipient fields are present: each combination is rendered (and cached) once. */
export function shapeOf(fields: readonly RecipientField[], recipient: RecipientValues): RecipientField[] {
  return fields.filter((field) => recipient[field] !== undefined);
}

/**
 * Renders a template once with random placeholder words in the recipient fields present in `shape`,
 * then personalises by substituting values: HTML-escaped in the HTML, raw in the text. Placeholders
 * are alphanumeric so React leaves them intact, and random per call so no copy a person wrote can
 * collide with them. Templates insert recipient fields verbatim, so the result is byte-identical to a
 * full render (the property test in tests/rendering proves it).
 */
export async function prepareEmail(
  def: TemplateDefinition,
  shared: Record<string, unknown>,
  shape: readonly RecipientField[],
): Promise<PreparedEmail> {
  const nonce = randomBytes(8).toString('hex');
  const slotProps: Record<string, string> = {};
  shape.forEach((field, i) => {
    slotProps[field] = `cdx${nonce}${i}x`;
  });
  const props = { ...shared, ...slotProps };
  const doc = def.doc(props);
  const html = asciiHtml(await render(createElement(def.component, props)));
  const pattern = new RegExp(`cdx${nonce}(\\d+)x`, 'g');
  const compiledHtml = compile(html, pattern);
  const compiledText = compile(documentText(doc), pattern);
  const compiledSubject = compile(doc.subject, pattern);
  const label = [def.name, shared.variant, shared.lang].filter((part) => typeof part === 'string').join(' ');
  const provider = providerTemplateOf(label, shape, compiledHtml, compiledText);
  return {
    subject: doc.subject,
    personalise(recipient) {
      const raw = shape.map((field) => recipient[field] ?? '');
      const htmlValues = raw.map(htmlValue);
      const rendered: RenderedEmail = {
        subject: fill(compiledSubject, raw),
        // String concatenation makes ropes: a sender that uses the template never pays to flatten them.
        html: fill(compiledHtml, htmlValues),
        text: fill(compiledText, raw),
      };
      if (provider)
        rendered.templated = { template: provider.template, variables: provider.valuesOf(raw, htmlValues) };
      return rendered;
    },
  };
}

/** One recipient rendered in full, no substitution: the reference the property test compares with. */
export async function renderFull(
  def: TemplateDefinition,
  props: Record<string, unknown>,
): Promise<RenderedEmail> {
  const doc = def.doc(props);
  return {
    subject: doc.subject,
    html: asciiHtml(await render(createElement(def.component, props))),
    text: documentText(doc),
  };
}
