import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** How long an approval link works. */
export const APPROVAL_LINK_TTL_MS = 24 * 60 * 60 * 1000;
/** Leading hex digits of the payload hash carried in a link: enough to notice any change, short enough for a URL. */
const HASH_DIGITS = 24;

export interface ApprovalLinkClaims {
  communicationId: string;
  version: number;
  /** Leading hex digits of the approval payload hash the link was issued for. */
  contentHash: string;
  /** Issued at: decisions on the version at or after this instant mean the link was used. */
  issuedAt: Date;
  expiresAt: Date;
  /** Makes every link unique, so two requests for the same version never share a URL. */
  nonce: string;
}

const sign = (secret: Buffer, payload: string) =>
  createHmac('sha256', secret).update(`approval:${payload}`).digest().subarray(0, 20).toString('base64url');

/**
 * `<communication>.<version>.<hash>.<issued>.<expires>.<nonce>.<signature>`: plain fields (the link also
 * names what it approves in server logs) under a 160-bit HMAC with the shared signing secret, so any
 * replica verifies it and nothing is stored per link. Well under Fastify's 256-character path parameter.
 */
export function signApprovalToken(
  secret: Buffer,
  claims: { communicationId: string; version: number; contentHash: string; issuedAt?: Date; ttlMs?: number },
): { token: string; claims: ApprovalLinkClaims } {
  const issuedAt = claims.issuedAt ?? new Date();
  const expiresAt = new Date(issuedAt.getTime() + (claims.ttlMs ?? APPROVAL_LINK_TTL_MS));
  const nonce = randomBytes(8).toString('base64url');
  const hash = claims.contentHash.slice(0, HASH_DIGITS);
  const payload = [
    claims.communicationId,
    claims.version,
    hash,
    issuedAt.getTime().toString(36),
    expiresAt.getTime().toString(36),
    nonce,
  ].join('.');
  return {
    token: `${payload}.${sign(secret, payload)}`,
    claims: {
      communicationId: claims.communicationId,
      version: claims.version,
      contentHash: hash,
      issuedAt,
      expiresAt,
      nonce,
    },
  };
}

export type ApprovalLinkCheck =
  | { ok: true; claims: ApprovalLinkClaims }
  | { ok: false; reason: 'invalid' | 'expired'; claims?: ApprovalLinkClaims };

/** Verifies the signature first (a forged link learns nothing), then the expiry. */
export function verifyApprovalToken(secret: Buffer, token: string, now = new Date()): ApprovalLinkCheck {
  const parts = token.split('.');
  if (parts.length !== 7) return { ok: false, reason: 'invalid' };
  const payload = parts.slice(0, 6).join('.');
  const expected = Buffer.from(sign(secret, payload));
  const given = Buffer.from(parts[6]!);
  if (expected.length !== given.length || !timingSafeEqual(expected, given))
    return { ok: false, reason: 'invalid' };
  const [communicationId, version, contentHash, issued, expires, nonce] = parts as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const claims: ApprovalLinkClaims = {
    communicationId,
    version: Number(version),
    contentHash,
    issuedAt: new Date(Number.parseInt(issued, 36)),
    expiresAt: new Date(Number.parseInt(expires, 36)),
    nonce,
  };
  if (!Number.isInteger(claims.version) || Number.isNaN(claims.expiresAt.getTime()))
    return { ok: false, reason: 'invalid' };
  return claims.expiresAt <= now ? { ok: false, reason: 'expired', claims } : { ok: true, claims };
}
