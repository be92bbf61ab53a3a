import type { Config } from '../config.js';

/**
 * Bounds on what one inbound message may cost. Anyone on the internet can send Candor mail, so the
 * raw structure is checked before postal-mime sees it: a message with 100,000 nested parts is
 * refused after one linear scan instead of building 100,000 MIME nodes.
 */
export interface InboundLimits {
  /** Largest raw message accepted, in bytes (default 10 MB); larger is 413 / SMTP 552. */
  maxBytes: number;
  /** Most MIME parts (boundary delimiter lines) in one message (default 200); more is 422. */
  maxParts: number;
  /** Deepest multipart nesting (default 12); deeper is 422. */
  maxDepth: number;
  /** Longest parse allowed, in ms (default 2,000); slower is 422. */
  maxParseMs: number;
  /** Characters of body text handed to quote stripping (default 2,000,000); the rest is cut. */
  maxTextChars: number;
}

export const defaultInboundLimits: InboundLimits = {
  maxBytes: 10 * 1024 * 1024,
  maxParts: 200,
  maxDepth: 12,
  maxParseMs: 2_000,
  maxTextChars: 2_000_000,
};

/** The limits the configuration sets (`CANDOR_INBOUND_MAX_*`); quote stripping keeps its default. */
export const inboundLimitsOf = (config: Pick<Config, 'inbound'>): InboundLimits => ({
  ...defaultInboundLimits,
  ...config.inbound,
});

/** A message Candor will not parse; `status` is what the HTTP route answers. */
export class InboundRejectedError extends Error {
  constructor(
    readonly status: 413 | 422,
    readonly code:
      | 'message_too_large'
      | 'too_many_parts'
      | 'nesting_too_deep'
      | 'parse_timeout'
      | 'unparsable',
    message: string,
  ) {
    super(message);
    this.name = 'InboundRejectedError';
  }
}

const BOUNDARY = /boundary\s*=\s*(?:"([^"\r\n]{1,200})"|([^\s;"\r\n]{1,200}))/i;

/**
 * One pass over the raw lines: counts delimiter lines of declared boundaries (parts) and tracks the
 * stack of open multiparts (depth). It over-counts rather than under-counts (a `Content-Type:
 * multipart/…` line inside a text body counts too), which only ever refuses, never lets through.
 */
export function precheckMime(raw: Buffer, limits: InboundLimits = defaultInboundLimits): void {
  if (raw.length > limits.maxBytes) {
    throw new InboundRejectedError(413, 'message_too_large', `Message is over ${limits.maxBytes} bytes.`);
  }
  const text = raw.toString('latin1');
  const open: string[] = [];
  const declared = new Set<string>();
  let parts = 0;
  let pendingMultipart = false;
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    const line = text.slice(start, Math.min(end, start + 1000)).replace(/\r$/, '');
    start = end + 1;
    const folded = pendingMultipart && /^[ \t]/.test(line);
    if (folded || /^content-type:\s*multipart\//i.test(line)) {
      // The boundary parameter may sit on the Content-Type line or on a folded continuation line.
      const match = BOUNDARY.exec(line);
      pendingMultipart = !match;
      if (match) {
        const boundary = match[1] ?? match[2]!;
        declared.add(boundary);
        open.push(boundary);
        if (open.length > limits.maxDepth) {
          throw new InboundRejectedError(
            422,
            'nesting_too_deep',
            `MIME nesting is deeper than ${limits.maxDepth}.`,
          );
        }
      }
      continue;
    }
    pendingMultipart = false;
    if (!line.startsWith('--') || declared.size === 0) continue;
    const closing = line.trimEnd().endsWith('--') && line.trimEnd().length > 4;
    const name = closing ? line.trimEnd().slice(2, -2) : line.trimEnd().slice(2);
    if (!declared.has(name)) continue;
    if (closing) {
      const at = open.lastIndexOf(name);
      if (at !== -1) open.length = at;
      continue;
    }
    // A sibling delimiter closes any multipart opened inside the previous part that forgot its closer.
    const level = open.lastIndexOf(name);
    if (level !== -1) open.length = level + 1;
    parts++;
    if (parts > limits.maxParts) {
      throw new InboundRejectedError(
        422,
        'too_many_parts',
        `Message has more than ${limits.maxParts} MIME parts.`,
      );
    }
  }
}

/** Rejects with `parse_timeout` when `work` has not settled within `ms`. */
export async function withinTime<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new InboundRejectedError(422, 'parse_timeout', `Parsing took longer than ${ms} ms.`)),
      ms,
    );
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
