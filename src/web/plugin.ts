import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import fp from 'fastify-plugin';
import { webUiBuilt } from './build.js';
import { webDistDir } from './paths.js';
import uiRoutes from './ui-routes.js';

export interface WebOptions {
  /** The built UI (default `dist/web`); tests build into a directory of their own. */
  distDir?: string;
}

/** Paths the API owns: an unknown one here is the API's JSON 404, never the UI's index page. */
const API_PREFIXES = ['/v1', '/u/', '/docs', '/admin/queues', '/healthz', '/readyz', '/metrics'];
const isApiPath = (path: string) =>
  API_PREFIXES.some((p) => path === p || path.startsWith(p.endsWith('/') ? p : `${p}/`));

/** The UI's document may load only what it shipped; previews in `srcdoc` frames inherit this policy. */
const CSP = [
  "default-src 'self'",
  "img-src 'self' data:",
  "style-src 'self' 'unsafe-inline'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "object-src 'none'",
].join('; ');

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Candor — UI not built</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 4rem auto; line-height: 1.5">
<h1>The staff UI is not built</h1>
<p>This API process serves the UI from <code>dist/web</code>, which does not exist yet. Build it once with</p>
<pre>npm run ui:build</pre>
<p>and restart the API (<code>npm start</code> builds it on its own). The API itself works: see <a href="/docs">/docs</a>.</p>
</body></html>`;

function documentHeaders(reply: FastifyReply) {
  reply.header('content-security-policy', CSP);
  reply.header('x-content-type-options', 'nosniff');
  reply.header('referrer-policy', 'same-origin');
}

/**
 * Serves the staff UI at `/`: built assets by path, and `index.html` for every other GET that is not
 * an API path, so the SPA's own routes (`/incidents/inc_…`) survive a reload.
 */
async function webPlugin(app: FastifyInstance, options: WebOptions) {
  const distDir = options.distDir ?? webDistDir;
  const built = webUiBuilt(distDir);
  if (built) await app.register(fastifyStatic, { root: distDir, serve: false, index: false });
  await app.register(uiRoutes);

  app.get('/*', { schema: { hide: true } }, async (request, reply) => {
    const path = request.url.split('?')[0]!;
    if (isApiPath(path)) return reply.callNotFound();
    if (!built) {
      documentHeaders(reply);
      return reply.status(503).type('text/html; charset=utf-8').send(NOT_BUILT_PAGE);
    }
    // A path with a file extension is an asset: served if it exists, else a plain 404 (not the app).
    if (/\.[A-Za-z0-9]+$/.test(path)) {
      const immutable = path.startsWith('/assets/');
      return reply.sendFile(path.slice(1), {
        cacheControl: true,
        maxAge: immutable ? 365 * 24 * 60 * 60 * 1000 : 0,
        immutable,
      });
    }
    documentHeaders(reply);
    reply.header('cache-control', 'no-cache');
    return reply.sendFile('index.html', { cacheControl: false });
  });
}

export default fp(webPlugin, { name: 'candor-web', fastify: '5.x', dependencies: ['candor-auth'] });
