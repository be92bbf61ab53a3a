import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig({});
    expect(config.port).toBe(3000);
    expect(config.host).toBe('127.0.0.1');
    expect(config.publicUrl).toBe('http://localhost:3000');
    expect(config.redisUrl).toBe('redis://127.0.0.1:6379');
    expect(config.transport).toBe('outbox');
    expect(config.noticeHoldSeconds).toBe(120);
    expect(config.senderDomains).toEqual(['acme.example']);
    expect(config.replyDomain).toBe('replies.acme.example');
    expect(config.resend.rps).toBe(2);
    expect(config.resend.timeoutMs).toBe(30_000);
    expect(config.sendConcurrency).toBe(16);
    expect(config.sweepGraceSeconds).toBe(30);
    expect(config.sweepStuckSeconds).toBe(300);
    expect(config.inbound).toEqual({
      maxBytes: 10 * 1024 * 1024,
      maxParts: 200,
      maxDepth: 12,
      maxParseMs: 2_000,
    });
    expect(config.seed).toBe(false);
    expect(loadConfig({}, { seed: true }).seed).toBe(true);
  });

  it('chooses resend when an API key is set, and derives domains from CANDOR_FROM', () => {
    const config = loadConfig({
      RESEND_API_KEY: 're_123',
      CANDOR_FROM: 'Globex Status <status@globex.example>',
      PORT: '8080',
    });
    expect(config.transport).toBe('resend');
    expect(config.senderDomains).toEqual(['globex.example']);
    expect(config.replyDomain).toBe('replies.globex.example');
    expect(config.publicUrl).toBe('http://localhost:8080');
  });

  it('reports every bad variable on its own line, naming it', () => {
    let caught: unknown;
    try {
      loadConfig({
        PORT: 'eighty',
        CANDOR_TRANSPORT: 'carrier-pigeon',
        REDIS_URL: 'http://nope',
        CANDOR_SEED: 'maybe',
      });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const problems = (caught as ConfigError).problems;
    expect(problems).toHaveLength(4);
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual([
      'CANDOR_SEED',
      'CANDOR_TRANSPORT',
      'PORT',
      'REDIS_URL',
    ]);
    expect((caught as ConfigError).message.split('\n')).toHaveLength(5);
  });

  it('refuses sweeper and provider timings that would spin or never fire', () => {
    expect(() => loadConfig({ CANDOR_SWEEP_GRACE_SECONDS: '0' })).toThrow(/CANDOR_SWEEP_GRACE_SECONDS/);
    expect(() => loadConfig({ CANDOR_SWEEP_STUCK_SECONDS: 'soon' })).toThrow(/CANDOR_SWEEP_STUCK_SECONDS/);
    expect(() => loadConfig({ CANDOR_RESEND_TIMEOUT_MS: '5' })).toThrow(/CANDOR_RESEND_TIMEOUT_MS/);
    const tuned = loadConfig({ CANDOR_SWEEP_GRACE_SECONDS: '2', CANDOR_RESEND_TIMEOUT_MS: '500' });
    expect([tuned.sweepGraceSeconds, tuned.resend.timeoutMs]).toEqual([2, 500]);
  });

  it('hides secret values in messages', () => {
    expect(() => loadConfig({ CANDOR_BOOTSTRAP_API_KEY: 'short' })).toThrow(
      /CANDOR_BOOTSTRAP_API_KEY.*\*\*\*/,
    );
  });

  it('requires the credentials of the chosen transport', () => {
    expect(() => loadConfig({ CANDOR_TRANSPORT: 'resend' })).toThrow(/RESEND_API_KEY: required/);
    expect(() => loadConfig({ CANDOR_TRANSPORT: 'smtp' })).toThrow(/SMTP_URL: required/);
  });
});
