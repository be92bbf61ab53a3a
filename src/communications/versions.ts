import { createHash } from 'node:crypto';

export interface VersionContent {
  template: string;
  subject: string;
  body: string | null;
  props: Record<string, unknown>;
}

/** Canonical JSON (sorted keys) so the same content always hashes the same. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** SHA-256 of a version's content: approvals bind to it and the send worker re-checks it. */
export function contentHash(content: VersionContent): string {
  return createHash('sha256').update(canonical(content)).digest('hex');
}
