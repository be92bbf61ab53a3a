import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Queues } from '../delivery/queues.js';

/** Prometheus metrics. One registry per runtime so tests and several apps in one process do not clash. */
export class Metrics {
  readonly registry = new Registry();
  readonly httpRequests = new Counter({
    name: 'candor_http_requests_total',
    help: 'HTTP requests by method, route and status code',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });
  readonly httpDuration = new Histogram({
    name: 'candor_http_request_duration_seconds',
    help: 'HTTP request duration',
    labelNames: ['method', 'route'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  readonly emailsSent = new Counter({
    name: 'candor_emails_sent_total',
    help: 'E-mails accepted by the transport',
    labelNames: ['transport'] as const,
    registers: [this.registry],
  });
  readonly emailsFailed = new Counter({
    name: 'candor_emails_failed_total',
    help: 'E-mails that failed permanently',
    labelNames: ['transport'] as const,
    registers: [this.registry],
  });
  readonly transportErrors = new Counter({
    name: 'candor_transport_errors_total',
    help: 'Batch-level transport errors by kind (rate_limited, transient, permanent, quota)',
    labelNames: ['transport', 'kind'] as const,
    registers: [this.registry],
  });
  /** Incremented by the send worker on each provider 429, so throttling shows apart from other errors. */
  readonly emailsRateLimited = new Counter({
    name: 'candor_emails_rate_limited_total',
    help: 'Provider answers of 429 (rate limited) to a send batch',
    labelNames: ['transport'] as const,
    registers: [this.registry],
  });
  readonly providerEvents = new Counter({
    name: 'candor_provider_events_total',
    help: 'Verified provider webhook events received (duplicates not counted), by type',
    labelNames: ['type'] as const,
    registers: [this.registry],
  });
  readonly unsubscribes = new Counter({
    name: 'candor_unsubscribes_total',
    help: 'Contacts that unsubscribed (repeat clicks not counted)',
    registers: [this.registry],
  });
  readonly queueDepth = new Gauge({
    name: 'candor_queue_jobs',
    help: 'Jobs per queue and state',
    labelNames: ['queue', 'state'] as const,
    registers: [this.registry],
  });

  constructor(options: { defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry, prefix: 'candor_' });
  }

  /** Refreshes queue depths just before a scrape; a Redis outage leaves the last values. */
  async refreshQueueDepths(queues: Queues): Promise<void> {
    try {
      const counts = await queues.counts();
      for (const [queue, states] of Object.entries(counts)) {
        for (const [state, value] of Object.entries(states)) this.queueDepth.set({ queue, state }, value);
      }
    } catch {
      // Scrapes must work while Redis is down; readiness reports that.
    }
  }
}
