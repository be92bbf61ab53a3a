import { describe, expect, it } from 'vitest';
import { HttpError } from '../../src/http/errors.js';
import { initialStatus, nextStatus } from '../../src/incidents/lifecycle.js';

function conflictOf(fn: () => unknown): HttpError {
  try {
    fn();
  } catch (error) {
    if (error instanceof HttpError) return error;
    throw error;
  }
  throw new Error('expected a conflict');
}

describe('incident lifecycle', () => {
  it('walks the documented path', () => {
    expect(initialStatus('incident.investigating')).toBe('investigating');
    expect(nextStatus('investigating', 'incident.identified', 'incident')).toBe('identified');
    expect(nextStatus('identified', 'incident.monitoring', 'incident')).toBe('monitoring');
    expect(nextStatus('monitoring', 'incident.resolved', 'incident')).toBe('resolved');
    expect(nextStatus('resolved', 'incident.postmortem', 'incident')).toBe('postmortem');
  });

  it('lets any open state resolve and a resolved incident reopen', () => {
    for (const open of ['investigating', 'identified', 'monitoring'] as const)
      expect(nextStatus(open, 'incident.resolved', 'incident')).toBe('resolved');
    expect(nextStatus('resolved', 'incident.investigating', 'incident')).toBe('investigating');
  });

  it('keeps the state on incident.update', () => {
    expect(nextStatus('identified', 'incident.update', 'incident')).toBe('identified');
  });

  it('refuses illegal moves with 409 naming the current state and the allowed ones', () => {
    const backwards = conflictOf(() => nextStatus('monitoring', 'incident.identified', 'incident'));
    expect(backwards.statusCode).toBe(409);
    expect(backwards.code).toBe('illegal_transition');
    expect(backwards.message).toContain('monitoring');
    expect(backwards.details).toEqual([
      { current_status: 'monitoring', allowed: ['monitoring', 'resolved'] },
    ]);
    const closed = conflictOf(() => nextStatus('postmortem', 'incident.investigating', 'incident'));
    expect(closed.details).toEqual([{ current_status: 'postmortem', allowed: [] }]);
    expect(conflictOf(() => nextStatus('postmortem', 'incident.update', 'incident')).statusCode).toBe(409);
    expect(conflictOf(() => initialStatus('incident.resolved')).code).toBe('unknown_incident');
  });

  it('keeps maintenance and incident events apart', () => {
    expect(initialStatus('maintenance.scheduled')).toBe('scheduled');
    expect(nextStatus('scheduled', 'maintenance.started', 'maintenance')).toBe('in_progress');
    expect(nextStatus('in_progress', 'maintenance.completed', 'maintenance')).toBe('completed');
    expect(conflictOf(() => nextStatus('scheduled', 'incident.resolved', 'maintenance')).statusCode).toBe(
      409,
    );
    expect(conflictOf(() => nextStatus('investigating', 'maintenance.started', 'incident')).statusCode).toBe(
      409,
    );
  });
});
