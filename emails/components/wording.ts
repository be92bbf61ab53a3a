/**
 * Language-independent vocabulary shared by templates and plain-text parts. Copy itself lives in
 * `emails/i18n/`; this file holds the types and the few helpers that do not depend on language.
 */

export type IncidentStatus = 'investigating' | 'identified' | 'monitoring' | 'resolved';
export type IncidentSeverity = 'minor' | 'major' | 'critical';
export type MaintenancePhase = 'scheduled' | 'started' | 'completed';

/**
 * Who a communication is for. A segment's `template` field names one of these; `affected` is the
 * concise default, `affected-enterprise` adds the SLA consequence and the account's contact person,
 * `unaffected` is an FYI for customers the incident does not touch.
 */
export const variants = ['affected-enterprise', 'affected', 'unaffected'] as const;
export type Variant = (typeof variants)[number];

/**
 * The fields that differ per recipient. Templates may only insert them verbatim into text or
 * attributes (no trimming, casing or length checks): render-once personalisation substitutes them
 * into the finished HTML, and that is byte-identical to a full render only under this rule.
 */
export interface RecipientProps {
  /** The recipient's company. */
  customerName: string;
  contactName?: string;
  unsubscribeUrl: string;
  /** One sentence: "You get this because …"; the catalogue's wording for the variant when omitted. */
  reason?: string;
  /** The account's contact person at the sending company (enterprise variant). */
  accountManager?: string;
}

/** Props every customer-facing template shares. */
export interface CustomerEmailProps extends RecipientProps {
  /** The sending company, e.g. "Acme". */
  companyName: string;
  /** BCP 47 tag; selects the catalogue (`de-AT` reads German) and the `lang` attribute. */
  lang?: string;
  variant?: Variant;
  statusPageUrl?: string;
}

/** Light and dark variants each keep at least 4.5:1 contrast against their own background. */
export const statusColors: Record<IncidentStatus | 'maintenance', { light: string; dark: string }> = {
  investigating: { light: '#b45309', dark: '#fbbf24' },
  identified: { light: '#b45309', dark: '#fbbf24' },
  monitoring: { light: '#1d4ed8', dark: '#93c5fd' },
  resolved: { light: '#15803d', dark: '#86efac' },
  maintenance: { light: '#6d28d9', dark: '#c4b5fd' },
};

/** The human update may hold several paragraphs; blank lines separate them. */
export function paragraphs(text: string): string[] {
  return text
    .replace(/\r\n?/g, '\n')
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter(Boolean);
}

/** Inbox preview lines are cut near 140 characters; longer ones only push padding out of view. */
export function clip(line: string, max = 140): string {
  const flat = line.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1).trimEnd()}…` : flat;
}

/** Whole minutes between two ISO times, never negative. */
export function minutesBetween(startIso: string, endIso: string): number {
  const ms = new Date(endIso).getTime() - new Date(startIso).getTime();
  return Number.isFinite(ms) && ms > 0 ? Math.round(ms / 60_000) : 0;
}
