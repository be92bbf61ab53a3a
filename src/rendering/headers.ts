/**
 * Header helpers for outgoing mail. Everything that ends up in a header goes through
 * `assertHeaderSafe` first: a CR or LF in a header value lets whoever controls that value add
 * headers (Bcc, a second body) to the e-mail — header injection.
 */

export class HeaderValueError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HeaderValueError';
  }
}

// CR, LF and NUL end or corrupt a header line; other C0 controls are never legitimate in one either.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const unsafe = /[\u0000-\u0008\u000a-\u001f\u007f]/;

/** Throws `HeaderValueError` if `value` could break out of its header line; returns it otherwise. */
export function assertHeaderSafe(value: string, what = 'header value'): string {
  if (unsafe.test(value)) throw new HeaderValueError(`${what} contains a line break or control character`);
  return value;
}

// RFC 5322 dot-atom: what may stand on either side of the "@" of a Message-ID or address unquoted.
const atext = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]";
const dotAtom = new RegExp(`^${atext}+(?:\\.${atext}+)*$`);
const domainPattern =
  /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

function assertDomain(domain: string): void {
  if (!domainPattern.test(domain))
    throw new HeaderValueError(`not a valid domain: ${JSON.stringify(domain)}`);
}

/** `<id@domain>`, the form the Message-ID, In-Reply-To and References headers carry. */
export function formatMessageId(id: string, domain: string): string {
  if (!dotAtom.test(id))
    throw new HeaderValueError(`not a valid Message-ID left part: ${JSON.stringify(id)}`);
  assertDomain(domain);
  return `<${id}@${domain}>`;
}

/**
 * Threading headers for one e-mail about an incident. Every later e-mail answers the *first* one
 * (`In-Reply-To`): a flat conversation under the original notice is what clients show best, and a
 * reader who deleted an intermediate update still sees one thread. `References` lists the thread from
 * the first message on. `thread` holds earlier Message-IDs, oldest first, in `<…>` form.
 */
export function threadingHeaders(messageId: string, thread: readonly string[]): Record<string, string> {
  const headers: Record<string, string> = { 'Message-ID': assertHeaderSafe(messageId, 'Message-ID') };
  const earlier = [...new Set(thread)].filter((id) => id !== messageId);
  if (earlier.length === 0) return headers;
  for (const id of earlier) assertHeaderSafe(id, 'References entry');
  // Long References headers get truncated by some servers; the first and the latest matter most.
  const kept = earlier.length > 20 ? [earlier[0]!, ...earlier.slice(-19)] : earlier;
  headers['In-Reply-To'] = earlier[0]!;
  headers.References = kept.join(' ');
  return headers;
}

/**
 * A display name as an RFC 5322 quoted-string: always quoted, with `\` and `"` escaped, so a name
 * like `Dana "D" Smith, CEO` stays one mailbox instead of splitting at the comma.
 */
export function quoteDisplayName(name: string): string {
  assertHeaderSafe(name, 'display name');
  return `"${name.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

export interface ReplyAddressOptions {
  /** Shown as the display name, so a reply still looks like it goes to the person who wrote. */
  senderName: string;
  /** The per-message reply token (lower-case base32, see `delivery/tokens.ts`). */
  token: string;
  replyDomain: string;
  /** Part before the `+`; default `reply`. */
  localPart?: string;
}

/** `"Dana Smith" <reply+token@replies.acme.example>`: the tracked per-message Reply-To address. */
export function replyAddress({
  senderName,
  token,
  replyDomain,
  localPart = 'reply',
}: ReplyAddressOptions): string {
  if (!/^[A-Za-z0-9]+$/.test(token)) throw new HeaderValueError('reply token must be alphanumeric');
  if (!dotAtom.test(localPart) || localPart.includes('+')) {
    throw new HeaderValueError(`not a valid local part: ${JSON.stringify(localPart)}`);
  }
  assertDomain(replyDomain);
  const address = `${localPart}+${token}@${replyDomain}`;
  const name = senderName.trim();
  return name ? `${quoteDisplayName(name)} <${address}>` : address;
}

/** `"Name" <address>` for a sender or recipient; validates the address is one plain mailbox. */
export function formatMailbox(name: string | undefined, address: string): string {
  assertHeaderSafe(address, 'address');
  const at = address.lastIndexOf('@');
  if (at <= 0 || !dotAtom.test(address.slice(0, at))) {
    throw new HeaderValueError(`not a valid address: ${JSON.stringify(address)}`);
  }
  assertDomain(address.slice(at + 1));
  const trimmed = name?.trim();
  return trimmed ? `${quoteDisplayName(trimmed)} <${address}>` : address;
}
