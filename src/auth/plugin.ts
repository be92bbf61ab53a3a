import type { FastifyInstance } from 'fastify';

// Placeholder while this module is being written; replaced by its owner.
export default async function placeholder(_app: FastifyInstance) {}
