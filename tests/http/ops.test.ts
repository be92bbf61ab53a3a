import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { createTestDeps, type TestDeps } from '../support/deps.js';
import { auth, BOOTSTRAP_KEY } from '../support/fixtures.js';

describe('operations endpoints and the OpenAPI document', () => {
  let deps: TestDeps;
  let app: FastifyInstance;
  beforeAll(async () => {
    deps = await createTestDeps('pglite', { env: { CANDOR_BOOTSTRAP_API_KEY: BOOTSTRAP_KEY } });
    app = await buildApp(deps);
  });
  afterAll(async () => {
    await app.close();
    await deps.close();
  });

  it('answers liveness and readiness', async () => {
    expect((await app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' });
    const ready = await app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: 'ready', checks: { database: 'ok', redis: 'ok' } });
  });

  it('serves Prometheus metrics with HTTP counts and queue depths', async () => {
    await app.inject({ method: 'GET', url: '/v1/incidents', headers: auth });
    const metrics = await app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.statusCode).toBe(200);
    expect(metrics.headers['content-type']).toMatch(/^text\/plain/);
    expect(metrics.body).toMatch(
      /candor_http_requests_total\{method="GET",route="\/v1\/incidents",status="200"\} 1/,
    );
    expect(metrics.body).toMatch(/candor_queue_jobs\{queue="send",state="waiting"\} 0/);
  });

  it('publishes an OpenAPI document generated from the route schemas', async () => {
    const doc = await app.inject({ method: 'GET', url: '/docs/json' });
    expect(doc.statusCode).toBe(200);
    const spec = doc.json();
    expect(spec.openapi).toMatch(/^3\./);
    for (const path of [
      '/v1/events',
      '/v1/incidents/{id}',
      '/v1/customers/{ref}',
      '/v1/api-keys',
      '/v1/auth/login',
      '/v1/messages',
    ])
      expect(Object.keys(spec.paths)).toContain(path);
    const eventBody = spec.paths['/v1/events'].post.requestBody.content['application/json'].schema;
    expect(eventBody.properties.type.enum).toContain('incident.investigating');
    expect(eventBody.properties.incident.properties.severity.enum).toEqual(['minor', 'major', 'critical']);
    expect((await app.inject({ method: 'GET', url: '/docs' })).statusCode).toBeLessThan(400);
  });

  it('answers unknown routes in the contract error shape', async () => {
    const response = await app.inject({ method: 'GET', url: '/v1/nothing-here' });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({
      error: { code: 'not_found', message: 'No route for GET /v1/nothing-here.' },
    });
  });
});
