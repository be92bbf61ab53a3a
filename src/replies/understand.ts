import type { ParsedInbound } from './parse.js';

/**
 * Out-of-office subjects in the languages Candor's customers write. Subjects are the last resort:
 * many autoresponders set none of the RFC 3834 headers, but all of them say what they are.
 */
const OUT_OF_OFFICE_SUBJECT = new RegExp(
  [
    'out of (?:the )?office',
    'automatic reply',
    'auto(?:matic)?[- ]?(?:reply|response)',
    'autoreply',
    'away from (?:the )?office',
    'on vacation',
    'abwesenheitsnotiz',
    'automatische antwort',
    'abwesend',
    'nicht im büro',
    'réponse automatique',
    'absent(?:e)? du bureau',
    'absence du bureau',
    'fuori sede',
    'fuori ufficio',
    'risposta automatica',
    'respuesta automática',
    'fuera de la oficina',
    'automatisch antwoord',
    'afwezig',
    'resposta automática',
    'autosvar',
    'frånvaro',
  ].join('|'),
  'i',
);

export interface AutoVerdict {
  auto: boolean;
  /** Which rule said so, for staff who wonder why a reply is not counted. */
  reason: string | null;
}

/** RFC 3834 and the de-facto headers of Exchange, Gmail and common autoresponders, then the subject. */
export function detectAutoReply(parsed: ParsedInbound): AutoVerdict {
  const h = parsed.headers;
  const autoSubmitted = h['auto-submitted']?.trim().toLowerCase();
  if (autoSubmitted && autoSubmitted !== 'no')
    return { auto: true, reason: `auto-submitted: ${autoSubmitted}` };
  for (const name of ['x-autoreply', 'x-autorespond', 'x-autoresponder', 'x-auto-response-suppress']) {
    if (h[name] !== undefined) return { auto: true, reason: name };
  }
  const precedence = h.precedence?.trim().toLowerCase();
  if (precedence && ['bulk', 'junk', 'auto_reply'].includes(precedence)) {
    return { auto: true, reason: `precedence: ${precedence}` };
  }
  if (parsed.returnPath !== null && /^\s*<\s*>\s*$/.test(parsed.returnPath)) {
    return { auto: true, reason: 'null return-path' };
  }
  if (parsed.subject && OUT_OF_OFFICE_SUBJECT.test(parsed.subject)) {
    return { auto: true, reason: 'out-of-office subject' };
  }
  return { auto: false, reason: null };
}

export interface BounceVerdict {
  /** Enhanced status code (`5.1.1`), if the report carried one. */
  status: string | null;
  /** A 5.x.x status: the address is dead and must be suppressed. */
  permanent: boolean;
  /** `Final-Recipient` / `Original-Recipient` of the report. */
  recipient: string | null;
  diagnostic: string | null;
}

const REPORT = /multipart\/report/i;
const DAEMON = /^(?:mailer-daemon|postmaster|mail-daemon)@/i;

/**
 * A delivery-status notification (RFC 3464) or a bounce from a mailer daemon that does not follow it:
 * null when the message is a normal reply. Only the status class decides permanence; the text of
 * non-standard bounces is too unreliable to suppress an address on.
 */
export function detectBounce(parsed: ParsedInbound): BounceVerdict | null {
  const isReport =
    REPORT.test(parsed.contentType) && /report-type\s*=\s*"?delivery-status/i.test(parsed.contentType);
  const fromDaemon = parsed.from !== null && DAEMON.test(parsed.from);
  if (!isReport && !fromDaemon && parsed.deliveryStatus === null) return null;
  const source = parsed.deliveryStatus ?? parsed.text;
  const status = /^\s*Status:\s*([245]\.\d{1,3}\.\d{1,3})/im.exec(source)?.[1] ?? null;
  const recipient =
    /^\s*(?:Final|Original)-Recipient:\s*(?:rfc822;)?\s*<?([^\s<>;]+@[^\s<>;]+?)>?\s*$/im.exec(source)?.[1] ??
    null;
  const diagnostic = /^\s*Diagnostic-Code:\s*(.{1,300})$/im.exec(source)?.[1]?.trim() ?? null;
  return {
    status,
    permanent: status?.startsWith('5.') === true,
    recipient: recipient?.toLowerCase() ?? null,
    diagnostic,
  };
}
