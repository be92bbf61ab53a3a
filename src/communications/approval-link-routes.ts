import formbody from '@fastify/formbody';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { findUserById } from '../auth/users.js';
import { HttpError } from '../http/errors.js';
import { lintContent, loadLintWordLists, versionText } from '../rendering/lint.js';
import { type ApprovalLinkClaims, verifyApprovalToken } from './approval-links.js';
import { approvalPage, messagePage } from './approval-page.js';
import { approvalPayloadHash, decide, LinkAlreadyUsedError, latestDecision } from './approvals.js';
import { communicationWithVersion } from './queries.js';

class PageError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    message: string,
  ) {
    super(message);
  }
}

const USED = new PageError(
  410,
  'This link was already used',
  'A decision was already recorded with this approval link. Ask for a new one if something needs your approval again.',
);

function send(reply: FastifyReply, status: number, html: string) {
  // The token is in the URL: no caching, and no Referer carrying it to the preview or anywhere else.
  return reply
    .status(status)
    .header('cache-control', 'no-store')
    .header('referrer-policy', 'no-referrer')
    .header('x-robots-tag', 'noindex')
    .header(
      'content-security-policy',
      "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
    )
    .type('text/html; charset=utf-8')
    .send(html);
}

/**
 * The executive's approval link: a page summarising the version with Approve / Reject, and the form
 * post that records the decision. No session is needed — the signed token is the credential, it names one
 * version of one communication, and it works once. Every refusal is an HTML page that says why.
 */
export default async function approvalLinkRoutes(fastify: FastifyInstance) {
  await fastify.register(formbody);
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { db } = app.deps.database;

  /** The communication and version a valid, unused, still-current link points at. */
  async function resolve(token: string) {
    const check = verifyApprovalToken(app.deps.signingSecret, token);
    if (!check.ok && check.reason === 'invalid') {
      throw new PageError(
        400,
        'This link is not valid',
        'The approval link is incomplete or was altered. Use the link from the e-mail as it is.',
      );
    }
    if (!check.ok)
      throw new PageError(
        410,
        'This link has expired',
        'Approval links work for 24 hours. Ask for a new one.',
      );
    const claims: ApprovalLinkClaims = check.claims;
    const row = await communicationWithVersion(db, claims.communicationId, claims.version);
    if (!row) throw new PageError(404, 'Not found', 'The e-mail this link was for no longer exists.');
    const decided = await latestDecision(db, claims.communicationId, claims.version);
    if (decided && decided.createdAt >= claims.issuedAt) throw USED;
    const current =
      row.communication.currentVersion === claims.version &&
      approvalPayloadHash(row.communication, row.version).startsWith(claims.contentHash);
    if (!current) {
      throw new PageError(
        409,
        'The e-mail changed',
        'It was edited after this approval was requested; the new version needs a new request.',
      );
    }
    if (row.communication.status !== 'pending_approval') {
      throw new PageError(
        409,
        'Not awaiting approval',
        `This e-mail is ${row.communication.status.replace('_', ' ')} and no longer awaits a decision.`,
      );
    }
    return { claims, ...row };
  }

  async function answer(reply: FastifyReply, work: () => Promise<string>) {
    try {
      return send(reply, 200, await work());
    } catch (error) {
      if (error instanceof PageError)
        return send(reply, error.status, messagePage(error.title, error.message));
      if (error instanceof LinkAlreadyUsedError)
        return send(reply, USED.status, messagePage(USED.title, USED.message));
      if (error instanceof HttpError && error.statusCode < 500) {
        return send(reply, error.statusCode, messagePage('This cannot be done', error.message));
      }
      throw error;
    }
  }

  const params = z.object({ token: z.string().max(256) });

  app.get(
    '/v1/approvals/:token',
    { schema: { tags: ['communications'], summary: 'Approval page behind an e-mailed link (HTML)', params } },
    async (request, reply) =>
      answer(reply, async () => {
        const { claims, communication, version } = await resolve(request.params.token);
        const executive = communication.senderUserId
          ? await findUserById(db, communication.senderUserId)
          : null;
        const lists = await loadLintWordLists(app.deps.config.lintConfigPath);
        return approvalPage({
          executiveName: executive?.sender?.name ?? executive?.name ?? 'Hello',
          subject: version.subject,
          body: version.body ?? '',
          from: communication.from,
          recipients: communication.recipients,
          version: version.version,
          expiresAt: claims.expiresAt,
          previewUrl: `${app.deps.config.publicUrl}/v1/communications/${communication.id}/preview`,
          warnings: lintContent({ text: versionText(version), kind: communication.kind }, lists),
        });
      }),
  );

  app.post(
    '/v1/approvals/:token',
    {
      schema: {
        tags: ['communications'],
        summary: 'Approve or reject through an e-mailed link (form post; single use)',
        params,
        body: z.object({
          decision: z.enum(['approve', 'reject']),
          reason: z.string().trim().max(2000).optional(),
        }),
      },
    },
    async (request, reply) =>
      answer(reply, async () => {
        const { claims, communication, version } = await resolve(request.params.token);
        const approve = request.body.decision === 'approve';
        await decide(db, {
          communicationId: communication.id,
          version: claims.version,
          decision: approve ? 'approved' : 'rejected',
          approverUserId: communication.senderUserId ?? '',
          reason: request.body.reason || undefined,
          actor: `user:${communication.senderUserId}`,
          via: 'link',
          expectedHash: claims.contentHash,
          usedIfDecidedSince: claims.issuedAt,
          details: { link_nonce: claims.nonce },
        });
        return approve
          ? messagePage(
              'Approved',
              `Thank you. "${version.subject}" (version ${claims.version}) is approved and can now be sent.`,
            )
          : messagePage('Rejected', 'Thank you. The e-mail went back to the team as a draft.');
      }),
  );
}
