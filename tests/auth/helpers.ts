import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.js';
import type { AppDeps } from '../../src/deps.js';

/** The real app (every module's plugins), without request logs in test output. */
export function buildTestApp(deps: AppDeps): Promise<FastifyInstance> {
  return buildApp(deps);
}
