import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';

const readySchema = z.object({
  status: z.enum(['ready', 'not_ready']),
  checks: z.object({ database: z.enum(['ok', 'down']), redis: z.enum(['ok', 'down']) }),
});

async function probe(check: () => Promise<unknown>, timeoutMs = 2_000): Promise<'ok' | 'down'> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('timeout')), timeoutMs);
      }),
    ]);
    return 'ok';
  } catch {
    return 'down';
  } finally {
    clearTimeout(timer);
  }
}

/** Liveness, readiness and Prometheus metrics. */
export default async function opsRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { metrics } = app.deps;

  app.get(
    '/healthz',
    { schema: { tags: ['ops'], response: { 200: z.object({ status: z.literal('ok') }) } } },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/readyz',
    { schema: { tags: ['ops'], response: { 200: readySchema, 503: readySchema } } },
    async (_request, reply) => {
      const [database, redis] = await Promise.all([
        probe(() => app.deps.database.ping()),
        probe(() => app.deps.redis.ping()),
      ]);
      const ready = database === 'ok' && redis === 'ok';
      return reply
        .status(ready ? 200 : 503)
        .send({ status: ready ? 'ready' : 'not_ready', checks: { database, redis } });
    },
  );

  app.get('/metrics', { schema: { tags: ['ops'], hide: true } }, async (_request, reply) => {
    await metrics.refreshQueueDepths(app.deps.queues);
    return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
}
