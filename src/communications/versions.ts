import { createHash } from 'node:crypto';
import { canonicalJson } from '../lib/canonical-json.js';

export interface VersionContent {
  template: string;
  subject: string;
  body: string | null;
  props: Record<string, unknown>;
}

/** SHA-256 of a version's content: approvals bind to it and the send worker re-checks it. */
export function contentHash(content: VersionContent): string {
  return createHash('sha256').update(canonicalJson(content)).digest('hex');
}
