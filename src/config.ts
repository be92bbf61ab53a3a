import path from 'node:path';
import { z } from 'zod';

/** Parses "true"/"false"/"1"/"0"/"yes"/"no"; anything else is a validation error naming the variable. */
const booleanFlag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'expected true or false' })
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

const port = z.coerce.number().int().min(0).max(65535);
const optionalString = z
  .string()
  .optional()
  .transform((value) => (value === '' ? undefined : value));

/** `Display Name <local@domain>` or a bare address; the domain is what sender checks use. */
const mailbox = z
  .string()
  .regex(
    /^(?:[^<>\r\n]*<[^@<>\s]+@[^@<>\s]+>|[^@<>\s]+@[^@<>\s]+)$/,
    'expected "Name <user@domain>" or user@domain',
  );

const monitorMapSchema = z.record(
  z.string(),
  z.object({ components: z.array(z.string()).default([]), regions: z.array(z.string()).default([]) }),
);

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: port.default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  CANDOR_PUBLIC_URL: z.url({ message: 'expected an absolute URL' }).optional(),
  CANDOR_DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'expected a postgres:// URL')
    .optional()
    .or(z.literal('').transform(() => undefined)),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'expected a redis:// URL')
    .default('redis://127.0.0.1:6379'),
  CANDOR_QUEUE_PREFIX: z.string().min(1).default('{candor}'),
  CANDOR_TRANSPORT: z.enum(['resend', 'smtp', 'outbox']).optional(),
  RESEND_API_KEY: optionalString,
  RESEND_BASE_URL: z.url().optional(),
  RESEND_WEBHOOK_SECRET: z
    .string()
    .regex(/^whsec_/, 'expected a whsec_… secret')
    .optional()
    .or(z.literal('').transform(() => undefined)),
  CANDOR_RESEND_RPS: z.coerce.number().positive().default(2),
  SMTP_URL: optionalString,
  CANDOR_FROM: mailbox.default('Acme Status <status@acme.example>'),
  CANDOR_SENDER_DOMAINS: optionalString,
  CANDOR_REPLY_DOMAIN: optionalString,
  CANDOR_NOTICE_HOLD_SECONDS: z.coerce.number().int().min(0).default(120),
  CANDOR_SEED: booleanFlag.optional(),
  CANDOR_SESSION_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  CANDOR_BOOTSTRAP_API_KEY: z.string().min(16, 'must be at least 16 characters').optional(),
  CANDOR_BOOTSTRAP_ADMIN_EMAIL: z.email().optional(),
  CANDOR_BOOTSTRAP_ADMIN_PASSWORD: z.string().min(8, 'must be at least 8 characters').optional(),
  CANDOR_SMTP_INBOUND_PORT: port.optional(),
  CANDOR_BODY_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(1024 * 1024),
  CANDOR_SEND_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(16),
  CANDOR_JOB_LOCK_SECONDS: z.coerce.number().int().min(1).default(30),
  CANDOR_FLAP_WINDOW_MINUTES: z.coerce.number().int().min(0).default(30),
  CANDOR_UPTIMEROBOT_MONITORS: z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (!value) return {};
      try {
        return monitorMapSchema.parse(JSON.parse(value));
      } catch {
        ctx.addIssue({
          code: 'custom',
          message: 'expected JSON like {"<monitorID>": {"components": ["api"], "regions": ["us"]}}',
        });
        return z.NEVER;
      }
    }),
  CANDOR_LINT_CONFIG: optionalString,
  CANDOR_SWEEP_INTERVAL_SECONDS: z.coerce.number().int().min(1).default(15),
  CANDOR_INBOUND_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(64 * 1024)
    .max(50 * 1024 * 1024)
    .default(10 * 1024 * 1024),
  CANDOR_INBOUND_MAX_PARTS: z.coerce.number().int().min(1).max(10_000).default(200),
  CANDOR_INBOUND_MAX_DEPTH: z.coerce.number().int().min(1).max(100).default(12),
  CANDOR_INBOUND_MAX_PARSE_MS: z.coerce.number().int().min(10).max(60_000).default(2_000),
  CANDOR_SWEEP_GRACE_SECONDS: z.coerce.number().int().min(1).default(30),
  CANDOR_SWEEP_STUCK_SECONDS: z.coerce.number().int().min(1).default(300),
  CANDOR_RESEND_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(30_000),
  CANDOR_RESEND_TEMPLATES: booleanFlag.default(true),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type Env = z.input<typeof envSchema>;

export interface Config {
  env: 'development' | 'production' | 'test';
  port: number;
  host: string;
  publicUrl: string;
  dataDir: string;
  databaseUrl: string | undefined;
  redisUrl: string;
  /** Prefix of every BullMQ key; braces make it a Redis Cluster hash tag so one queue lives on one slot. */
  queuePrefix: string;
  transport: 'resend' | 'smtp' | 'outbox';
  resend: {
    apiKey: string | undefined;
    baseUrl: string | undefined;
    webhookSecret: string | undefined;
    rps: number;
    /** One request's time limit; a request past it counts as a network error and is retried. */
    timeoutMs: number;
    /** Send shared bodies as Resend templates plus each recipient's values. */
    templates: boolean;
  };
  smtpUrl: string | undefined;
  from: string;
  senderDomains: string[];
  replyDomain: string;
  noticeHoldSeconds: number;
  seed: boolean;
  sessionSecret: string | undefined;
  bootstrap: {
    apiKey: string | undefined;
    adminEmail: string | undefined;
    adminPassword: string | undefined;
  };
  smtpInboundPort: number | undefined;
  bodyLimitBytes: number;
  sweepIntervalSeconds: number;
  /** What one inbound message may cost (see `InboundLimits` in src/replies/limits.ts). */
  inbound: { maxBytes: number; maxParts: number; maxDepth: number; maxParseMs: number };
  /** How long a `queued` message of a never-attempted batch may wait before the sweeper re-enqueues it. */
  sweepGraceSeconds: number;
  /** How long an attempted batch may stay unfinished before the sweeper re-enqueues it under its own key. */
  sweepStuckSeconds: number;
  /**
   * How long a worker holds a job before others may take it over; a killed worker's jobs are retried
   * after about this long.
   */
  jobLockSeconds: number;
  /** Send jobs (provider batches) one worker process runs at once. */
  sendConcurrency: number;
  /** Outages of one monitor closer together than this form a series ("3rd disruption today"). */
  flapWindowMinutes: number;
  /** Uptime Robot monitor id → what it watches, since its alerts name neither components nor regions. */
  uptimeRobotMonitors: Record<string, { components: string[]; regions: string[] }>;
  /** Optional JSON file overriding the content-lint word lists. */
  lintConfigPath: string | undefined;
  logLevel: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** The display name of `"Name" <a@b>` / `Name <a@b>`; empty for a bare address. */
export function displayNameOf(mailboxText: string): string {
  return mailboxText.match(/^\s*"?([^"<]*?)"?\s*</)?.[1]?.trim() ?? '';
}

export function domainOf(mailboxText: string): string {
  const address = mailboxText.match(/<([^>]+)>/)?.[1] ?? mailboxText;
  return address.slice(address.lastIndexOf('@') + 1).toLowerCase();
}

/**
 * Validates the environment once, for every process. Every bad variable is reported on its own line
 * so an operator fixes them all in one go instead of one restart per mistake.
 */
export function loadConfig(
  env: Record<string, string | undefined> = process.env,
  defaults: { seed?: boolean } = {},
): Config {
  const relevant: Record<string, string> = {};
  for (const key of Object.keys(envSchema.shape)) {
    const value = env[key];
    if (value !== undefined) relevant[key] = value;
  }
  const parsed = envSchema.safeParse(relevant);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0] ?? '(environment)');
      const value = relevant[name];
      const shown =
        value === undefined
          ? ''
          : ` (got ${JSON.stringify(name.includes('SECRET') || name.includes('PASSWORD') || name.includes('KEY') ? '***' : value)})`;
      return `${name}: ${issue.message}${shown}`;
    });
    throw new ConfigError(problems);
  }
  const e = parsed.data;
  const problems: string[] = [];
  const transport = e.CANDOR_TRANSPORT ?? (e.RESEND_API_KEY ? 'resend' : 'outbox');
  if (transport === 'resend' && !e.RESEND_API_KEY)
    problems.push('RESEND_API_KEY: required when CANDOR_TRANSPORT=resend');
  if (transport === 'smtp' && !e.SMTP_URL) problems.push('SMTP_URL: required when CANDOR_TRANSPORT=smtp');
  if (e.CANDOR_BOOTSTRAP_ADMIN_EMAIL && !e.CANDOR_BOOTSTRAP_ADMIN_PASSWORD)
    problems.push('CANDOR_BOOTSTRAP_ADMIN_PASSWORD: required when CANDOR_BOOTSTRAP_ADMIN_EMAIL is set');
  if (problems.length > 0) throw new ConfigError(problems);

  const senderDomain = domainOf(e.CANDOR_FROM);
  return {
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    publicUrl: (e.CANDOR_PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, ''),
    dataDir: path.resolve(e.CANDOR_DATA_DIR),
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    queuePrefix: e.CANDOR_QUEUE_PREFIX,
    transport,
    resend: {
      apiKey: e.RESEND_API_KEY,
      baseUrl: e.RESEND_BASE_URL,
      webhookSecret: e.RESEND_WEBHOOK_SECRET,
      rps: e.CANDOR_RESEND_RPS,
      timeoutMs: e.CANDOR_RESEND_TIMEOUT_MS,
      templates: e.CANDOR_RESEND_TEMPLATES,
    },
    smtpUrl: e.SMTP_URL,
    from: e.CANDOR_FROM,
    senderDomains: (e.CANDOR_SENDER_DOMAINS ?? senderDomain)
      .split(',')
      .map((d) => d.trim().toLowerCase())
      .filter(Boolean),
    replyDomain: (e.CANDOR_REPLY_DOMAIN ?? `replies.${senderDomain}`).toLowerCase(),
    noticeHoldSeconds: e.CANDOR_NOTICE_HOLD_SECONDS,
    seed: e.CANDOR_SEED ?? defaults.seed ?? false,
    sessionSecret: e.CANDOR_SESSION_SECRET,
    bootstrap: {
      apiKey: e.CANDOR_BOOTSTRAP_API_KEY,
      adminEmail: e.CANDOR_BOOTSTRAP_ADMIN_EMAIL,
      adminPassword: e.CANDOR_BOOTSTRAP_ADMIN_PASSWORD,
    },
    smtpInboundPort: e.CANDOR_SMTP_INBOUND_PORT,
    bodyLimitBytes: e.CANDOR_BODY_LIMIT_BYTES,
    sweepIntervalSeconds: e.CANDOR_SWEEP_INTERVAL_SECONDS,
    inbound: {
      maxBytes: e.CANDOR_INBOUND_MAX_BYTES,
      maxParts: e.CANDOR_INBOUND_MAX_PARTS,
      maxDepth: e.CANDOR_INBOUND_MAX_DEPTH,
      maxParseMs: e.CANDOR_INBOUND_MAX_PARSE_MS,
    },
    sweepGraceSeconds: e.CANDOR_SWEEP_GRACE_SECONDS,
    sweepStuckSeconds: e.CANDOR_SWEEP_STUCK_SECONDS,
    jobLockSeconds: e.CANDOR_JOB_LOCK_SECONDS,
    sendConcurrency: e.CANDOR_SEND_CONCURRENCY,
    flapWindowMinutes: e.CANDOR_FLAP_WINDOW_MINUTES,
    uptimeRobotMonitors: e.CANDOR_UPTIMEROBOT_MONITORS,
    lintConfigPath: e.CANDOR_LINT_CONFIG,
    logLevel: e.LOG_LEVEL,
  };
}
