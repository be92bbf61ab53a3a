/** Display helpers: dates in the reader's locale, ages and countdowns in words. */

export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  return new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h ${m % 60}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

export function formatAge(iso: string, now: number): string {
  return `${formatDuration((now - new Date(iso).getTime()) / 1000)} ago`;
}

export const humanize = (value: string) => value.replace(/[_-]+/g, ' ');
