import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { z } from 'zod';
import { HttpError } from '../http/errors.js';
import { acceptResendReceived } from '../replies/resend-inbound.js';
import { enqueueProviderEvent, type ResendEvent, storeProviderEvent } from './provider-events.js';

const answerSchema = z.object({
  received: z.literal(true),
  /** True when this event id was seen before; nothing was done again. */
  duplicate: z.boolean(),
});

function header(request: FastifyRequest, ...names: string[]): string | undefined {
  for (const name of names) {
    const value = request.headers[name];
    if (typeof value === 'string' && value !== '') return value;
  }
  return undefined;
}

const invalidSignature = (message: string) => new HttpError(401, 'invalid_signature', message);

/**
 * `POST /v1/webhooks/resend`. The signature covers the exact bytes Resend sent, so this plugin keeps
 * JSON bodies as strings (its own parser, scoped to this plugin) and parses them only after
 * verification. The event is stored before anything else and answered 200 even when Redis is down:
 * a stored event is applied later by the sweeper, whereas a non-2xx would only make Resend resend it.
 */
export default async function webhookRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();

  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) =>
    done(null, body),
  );

  app.post(
    '/v1/webhooks/resend',
    {
      schema: {
        tags: ['webhooks'],
        summary: 'Resend delivery events (Svix / Standard Webhooks signed)',
        response: { 200: answerSchema },
      },
    },
    async (request) => {
      const { deps } = app;
      const secret = deps.config.resend.webhookSecret;
      if (!secret) {
        throw new HttpError(503, 'webhooks_disabled', 'RESEND_WEBHOOK_SECRET is not set; webhooks are off.');
      }
      const raw = typeof request.body === 'string' ? request.body : '';
      const id = header(request, 'svix-id', 'webhook-id');
      const timestamp = header(request, 'svix-timestamp', 'webhook-timestamp');
      const signature = header(request, 'svix-signature', 'webhook-signature');
      if (!id || !timestamp || !signature)
        throw invalidSignature('Missing svix-id, svix-timestamp or svix-signature.');
      let event: ResendEvent;
      try {
        // Checks the timestamp too: more than five minutes off either way is refused (replay protection).
        event = new Webhook(secret).verify(raw, {
          'webhook-id': id,
          'webhook-timestamp': timestamp,
          'webhook-signature': signature,
        }) as ResendEvent;
      } catch (error) {
        if (error instanceof WebhookVerificationError)
          throw invalidSignature(`Signature rejected: ${error.message}.`);
        throw error;
      }
      if (!event || typeof event.type !== 'string') {
        throw new HttpError(400, 'validation_failed', 'Event has no type.', [
          { path: 'type', message: 'required' },
        ]);
      }
      const stored = await storeProviderEvent(deps.database.db, id, event);
      // Inbound mail: idempotent per event, so a redelivery after a failed first try still stores the reply.
      if (event.type === 'email.received') await acceptResendReceived(deps, stored.id, event);
      const log = request.log.child({ deliveryEventId: stored.id, providerEventId: id, type: event.type });
      if (!stored.created) {
        log.info('provider event already received; ignored');
        return { received: true as const, duplicate: true };
      }
      deps.metrics.providerEvents.inc({ type: event.type });
      await enqueueProviderEvent(deps, stored.id);
      log.info({ emailId: event.data?.email_id }, 'provider event stored');
      return { received: true as const, duplicate: false };
    },
  );
}
