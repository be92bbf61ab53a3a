/**
 * The plain-language words every notice uses, shared by the HTML template and the plain-text version
 * so the two parts of one e-mail never say different things.
 */

export type IncidentStatus = 'investigating' | 'identified' | 'monitoring' | 'resolved';
export type IncidentSeverity = 'minor' | 'major' | 'critical';

export const statusLabels: Record<IncidentStatus, string> = {
  investigating: 'Investigating',
  identified: 'Cause found',
  monitoring: 'Fix in place',
  resolved: 'Resolved',
};

/** What the status means for the reader, without incident-management vocabulary. */
export const statusExplanations: Record<IncidentStatus, string> = {
  investigating: 'We know something is wrong and are working out why.',
  identified: 'We found the cause and are working on a fix.',
  monitoring: 'A fix is in place. We are watching closely to make sure it holds.',
  resolved: 'This is fixed. Everything should work normally again.',
};

export const severityPhrases: Record<IncidentSeverity, string> = {
  minor: 'Some things are slower or do not work as they should.',
  major: 'Part of the service is not working.',
  critical: 'The service is not working.',
};

/** Light and dark variants each keep at least 4.5:1 contrast against their own background. */
export const statusColors: Record<IncidentStatus, { light: string; dark: string }> = {
  investigating: { light: '#b45309', dark: '#fbbf24' },
  identified: { light: '#b45309', dark: '#fbbf24' },
  monitoring: { light: '#1d4ed8', dark: '#93c5fd' },
  resolved: { light: '#15803d', dark: '#86efac' },
};

/**
 * Fixed to UTC and written out in words: recipients live in many time zones and an unlabelled local
 * time would be wrong for most of them; `2017-05-15T14:00:00Z` is not how people read times.
 */
export function formatTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const day = new Intl.DateTimeFormat('en-GB', {
    timeZone: 'UTC',
    day: 'numeric',
    month: 'long',
    year: 'numeric',
  }).format(date);
  const time = new Intl.DateTimeFormat('en-GB', {
    timeZone: 'UTC',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(date);
  return `${day}, ${time} UTC`;
}

/** "a", "a and b", "a, b and c". */
export function listPhrase(items: readonly string[]): string {
  const clean = items.map((item) => item.trim()).filter(Boolean);
  if (clean.length <= 1) return clean[0] ?? '';
  return `${clean.slice(0, -1).join(', ')} and ${clean.at(-1)}`;
}

/** The human update may hold several paragraphs; blank lines separate them. */
export function paragraphs(text: string): string[] {
  return text
    .replace(/\r\n?/g, '\n')
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter(Boolean);
}

export function greeting(contactName: string | undefined, customerName: string): string {
  const name = contactName?.trim();
  return name ? `Hello ${name},` : `Hello ${customerName} team,`;
}
