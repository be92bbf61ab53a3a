import { randomBytes } from 'node:crypto';
import { render } from '@react-email/render';
import { createElement } from 'react';
import { IncidentNoticeEmail, type IncidentNoticeEmailProps } from '../../emails/incident-notice.js';
import { incidentNoticeText } from './incident-notice-text.js';
import { parseIncidentNoticeProps, TemplateError } from './props.js';

export { TemplateError } from './props.js';

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
}

/** The props that differ per recipient; everything else is rendered once per (version, segment). */
export type RecipientField = 'customerName' | 'contactName' | 'unsubscribeUrl' | 'reason';
export type SharedNoticeProps = Omit<IncidentNoticeEmailProps, RecipientField>;
export type RecipientNoticeProps = Pick<IncidentNoticeEmailProps, RecipientField>;

export interface PreparedNotice {
  subject: string;
  /** Pure string substitution: cheap enough to run for every recipient of a 100-message batch. */
  personalise(recipient: RecipientNoticeProps): RenderedEmail;
}

/**
 * The subject names the incident but not its status, so every update of one incident has the same
 * subject: Gmail only threads messages whose subjects match, and the References header alone is not
 * enough there. The status leads the preheader instead, which inboxes show right after the subject.
 */
export function incidentNoticeSubject(title: string): string {
  return `Incident: ${title.replace(/\s+/g, ' ').trim()}`;
}

const htmlEscapes: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};
const escapeHtml = (value: string) => value.replace(/[&<>"']/g, (c) => htmlEscapes[c] ?? c);

/**
 * Renders the template once with random placeholder words in the recipient fields, then personalises
 * by substituting escaped values. The placeholders are alphanumeric so React's escaping leaves them
 * intact, and random per call so no copy a person wrote can collide with them.
 */
export async function prepareIncidentNotice(shared: SharedNoticeProps): Promise<PreparedNotice> {
  const nonce = randomBytes(8).toString('hex');
  const placeholder = (name: string) => `cdx${nonce}${name}x`;
  const slots = {
    greetingName: placeholder('greetingname'),
    unsubscribeUrl: placeholder('unsubscribeurl'),
    reason: placeholder('reason'),
  };
  // The greeting is "Hello <contact>," or "Hello <customer> team,": one slot covers both forms.
  const templateProps: IncidentNoticeEmailProps = {
    ...shared,
    contactName: slots.greetingName,
    customerName: '',
    unsubscribeUrl: slots.unsubscribeUrl,
    reason: slots.reason,
  };
  const html = await render(createElement(IncidentNoticeEmail, templateProps));
  const text = incidentNoticeText(templateProps);
  const subject = incidentNoticeSubject(shared.title);
  return {
    subject,
    personalise(recipient) {
      const values = {
        greetingName: recipient.contactName?.trim() || `${recipient.customerName} team`,
        unsubscribeUrl: recipient.unsubscribeUrl,
        reason: recipient.reason,
      };
      let outHtml = html;
      let outText = text;
      for (const key of Object.keys(slots) as (keyof typeof slots)[]) {
        outHtml = outHtml.split(slots[key]).join(escapeHtml(values[key]));
        outText = outText.split(slots[key]).join(values[key]);
      }
      return { subject, html: outHtml, text: outText };
    },
  };
}

/** One recipient's finished e-mail; the same bytes as `prepareIncidentNotice(...).personalise(...)`. */
export async function renderIncidentNotice(props: IncidentNoticeEmailProps): Promise<RenderedEmail> {
  const { customerName, contactName, unsubscribeUrl, reason, ...shared } = props;
  const prepared = await prepareIncidentNotice(shared);
  return prepared.personalise({ customerName, contactName, unsubscribeUrl, reason });
}

/** Template names a communication version may name; the registry the send worker renders through. */
export const templateNames = ['incident-notice'] as const;
export type TemplateName = (typeof templateNames)[number];

const preparedCache = new Map<string, Promise<PreparedNotice>>();
const PREPARED_CACHE_SIZE = 64;

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Renders once per distinct shared content; a batch of 100 recipients costs one React render. */
function preparedFor(shared: SharedNoticeProps): Promise<PreparedNotice> {
  const key = canonicalJson(shared);
  let prepared = preparedCache.get(key);
  if (prepared) {
    preparedCache.delete(key);
  } else {
    prepared = prepareIncidentNotice(shared);
    prepared.catch(() => preparedCache.delete(key));
  }
  preparedCache.set(key, prepared); // re-insert: Map order doubles as least-recently-used order
  if (preparedCache.size > PREPARED_CACHE_SIZE) preparedCache.delete(preparedCache.keys().next().value!);
  return prepared;
}

/**
 * Renders a stored communication version for one recipient. `props` is the version's JSON props plus
 * the recipient fields (`customerName`, `contactName?`, `unsubscribeUrl`, `reason?`); a `subject` prop
 * (the version's subject) overrides the default and a `body` prop (a staff edit) overrides `message`.
 * Throws `TemplateError` for an unknown template or invalid props: retrying cannot fix either.
 */
export async function renderCommunication(
  template: string,
  props: Record<string, unknown>,
): Promise<RenderedEmail> {
  if (template !== 'incident-notice') throw new TemplateError(`unknown template ${JSON.stringify(template)}`);
  const { props: parsed, subject } = parseIncidentNoticeProps(props);
  const { customerName, contactName, unsubscribeUrl, reason, ...shared } = parsed;
  const rendered = (await preparedFor(shared)).personalise({
    customerName,
    contactName,
    unsubscribeUrl,
    reason,
  });
  return subject ? { ...rendered, subject } : rendered;
}
