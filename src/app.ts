import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import audienceRoutes from './audience/routes.js';
import auditRoutes from './audit/routes.js';
import authPlugin from './auth/plugin.js';
import authRoutes from './auth/routes.js';
import actionRoutes from './communications/action-routes.js';
import approvalLinkRoutes from './communications/approval-link-routes.js';
import draftRoutes from './communications/draft-routes.js';
import communicationListRoutes from './communications/list-routes.js';
import previewRoutes from './communications/preview-routes.js';
import communicationRoutes from './communications/routes.js';
import adminQueuesRoutes from './delivery/admin-queues.js';
import outboxRoutes from './delivery/outbox-routes.js';
import unsubscribeRoutes from './delivery/unsubscribe-routes.js';
import webhookRoutes from './delivery/webhook-routes.js';
import type { AppDeps } from './deps.js';
import errorHandler from './http/error-handler.js';
import jsonBody from './http/json-body.js';
import opsRoutes from './http/ops-routes.js';
import integrationRoutes from './incidents/integration-routes.js';
import incidentRoutes from './incidents/routes.js';
import replyRoutes from './replies/routes.js';
import webPlugin, { type WebOptions } from './web/plugin.js';

export interface BuildAppOptions {
  /** Where the built staff UI is (default `dist/web`). */
  web?: WebOptions;
}

/**
 * Builds the HTTP app as a set of plugins. It never listens: `main.ts`/`api.ts` do, tests use `inject`.
 */
export async function buildApp(deps: AppDeps, options: BuildAppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    bodyLimit: deps.config.bodyLimitBytes,
    trustProxy: true,
    // Customer refs and other ids travel in paths; Fastify's default of 100 characters is too short.
    routerOptions: { maxParamLength: 256 },
    // Services retry; a stuck client must not hold a socket forever.
    requestTimeout: 30_000,
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.decorate('deps', deps);
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    deps.metrics.httpRequests.inc({ method: request.method, route, status: String(reply.statusCode) });
    deps.metrics.httpDuration.observe({ method: request.method, route }, reply.elapsedTime / 1000);
  });

  await app.register(errorHandler);
  await app.register(jsonBody);
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'Candor API',
        description: 'Incident customer communication by e-mail. See API.md for the binding contract.',
        version: '0.1.0',
      },
      components: {
        securitySchemes: {
          apiKey: { type: 'http', scheme: 'bearer', description: 'API key (`cnd_…`)' },
          session: { type: 'apiKey', in: 'cookie', name: 'candor_session' },
        },
      },
      security: [{ apiKey: [] }, { session: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  await app.register(authPlugin);
  await app.register(opsRoutes);
  await app.register(authRoutes);
  await app.register(incidentRoutes);
  await app.register(integrationRoutes);
  await app.register(audienceRoutes);
  await app.register(communicationRoutes);
  await app.register(communicationListRoutes);
  await app.register(previewRoutes);
  await app.register(draftRoutes);
  await app.register(actionRoutes);
  await app.register(approvalLinkRoutes);
  await app.register(auditRoutes);
  await app.register(webhookRoutes);
  await app.register(unsubscribeRoutes);
  await app.register(replyRoutes);
  await app.register(adminQueuesRoutes);
  await app.register(outboxRoutes);
  // Last: its catch-all GET serves the UI for every path no API route claimed.
  await app.register(webPlugin, options.web ?? {});
  return app;
}
