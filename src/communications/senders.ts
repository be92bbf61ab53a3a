import { findUserById } from '../auth/users.js';
import { domainOf } from '../config.js';
import type { Db } from '../db/client.js';
import { unprocessable } from '../http/errors.js';
import { formatMailbox } from '../rendering/headers.js';

/** The executive a letter goes out as, with the login address the approval request is mailed to. */
export interface ExecutiveSender {
  userId: string;
  /** Where approval requests go: the executive's own login, not the (possibly shared) sender address. */
  loginEmail: string;
  name: string;
  email: string;
  title: string;
  signature?: string | undefined;
}

/**
 * The sender identity of `userId`, re-checked now rather than trusted from user creation: a role change
 * or a narrowed `CANDOR_SENDER_DOMAINS` since then must stop mail going out under that address.
 */
export async function executiveSender(
  db: Db,
  senderDomains: readonly string[],
  userId: string,
): Promise<ExecutiveSender> {
  const user = await findUserById(db, userId);
  if (!user || user.disabledAt || user.role !== 'executive' || !user.sender) {
    throw unprocessable(
      'sender_not_executive',
      'Only an active executive with a sender identity can be the sender of an apology.',
      [{ path: 'sender', message: 'must be the user id of an executive with a sender identity' }],
    );
  }
  const domain = domainOf(user.sender.email);
  if (!senderDomains.includes(domain)) {
    throw unprocessable(
      'sender_domain_not_allowed',
      `Sender e-mail domain "${domain}" is not an allowed sending domain (allowed: ${senderDomains.join(', ')}).`,
      [{ path: 'sender', message: `allowed domains: ${senderDomains.join(', ')}` }],
    );
  }
  return {
    userId: user.id,
    loginEmail: user.email,
    name: user.sender.name,
    email: user.sender.email,
    title: user.sender.title,
    signature: user.sender.signature,
  };
}

/** `"Alex Rivera" <alex@acme.example>`: the From of the letter, quoted so any name stays one mailbox. */
export function senderMailbox(sender: Pick<ExecutiveSender, 'name' | 'email'>): string {
  return formatMailbox(sender.name, sender.email);
}
