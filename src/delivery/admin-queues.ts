import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { FastifyInstance } from 'fastify';
import { HttpError } from '../http/errors.js';
import { queueNames } from './queues.js';

export const ADMIN_QUEUES_PATH = '/admin/queues';

/**
 * `/admin/queues`: the bull-board dashboard over every Candor queue, for admins (an `admin` API key, or
 * an admin's session cookie in the browser).
 *
 * Read-only on purpose: bull-board's actions (add, edit, clean, obliterate a queue) would bypass the
 * payload validation and the database batches that make sending exactly-once, and its UI cannot send
 * Candor's CSRF header. Stuck work is recovered by the sweeper, not by hand.
 */
export default async function adminQueuesRoutes(app: FastifyInstance) {
  const authorize = app.authorize({ scope: 'admin' });
  // bull-board installs its own error handler for its routes, so answer auth failures here in the
  // contract's shape instead of throwing into it.
  app.addHook('onRequest', async function adminOnly(request, reply) {
    try {
      await authorize.call(app, request, reply);
    } catch (error) {
      if (!(error instanceof HttpError)) throw error;
      return reply.status(error.statusCode).send({ error: { code: error.code, message: error.message } });
    }
  });

  const serverAdapter = new FastifyAdapter();
  serverAdapter.setBasePath(ADMIN_QUEUES_PATH);
  createBullBoard({
    queues: queueNames.map(
      (name) => new BullMQAdapter(app.deps.queues.byName[name], { readOnlyMode: true, displayName: name }),
    ),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'Candor queues' } },
  });
  await app.register(serverAdapter.registerPlugin(), { prefix: ADMIN_QUEUES_PATH });
}
