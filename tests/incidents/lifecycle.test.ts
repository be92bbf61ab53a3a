import { describe, expect, it } from 'vitest';
import { HttpError } from '../../src/http/errors.js';
import {
  type EventType,
  type IncidentStatus,
  initialStatus,
  nextStatus,
} from '../../src/incidents/lifecycle.js';

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

/**
 * Every (state, event type) pair against API.md, written out independently of lifecycle.ts:
 * investigating → identified → monitoring → resolved → postmortem; any open state may resolve; resolved may
 * reopen to investigating; nothing leaves postmortem; `incident.update` keeps the state.
 */
const incidentSpec: Record<string, Record<string, string | null>> = {
  //               investigating    identified     monitoring     resolved    postmortem    update
  investigating: {
    investigating: 'investigating',
    identified: 'identified',
    monitoring: 'monitoring',
    resolved: 'resolved',
    postmortem: null,
    update: 'investigating',
  },
  identified: {
    investigating: null,
    identified: 'identified',
    monitoring: 'monitoring',
    resolved: 'resolved',
    postmortem: null,
    update: 'identified',
  },
  monitoring: {
    investigating: null,
    identified: null,
    monitoring: 'monitoring',
    resolved: 'resolved',
    postmortem: null,
    update: 'monitoring',
  },
  resolved: {
    investigating: 'investigating',
    identified: null,
    monitoring: null,
    resolved: null,
    postmortem: 'postmortem',
    update: 'resolved',
  },
  postmortem: {
    investigating: null,
    identified: null,
    monitoring: null,
    resolved: null,
    postmortem: null,
    update: null,
  },
};
const maintenanceSpec: Record<string, Record<string, string | null>> = {
  scheduled: { scheduled: 'scheduled', started: 'in_progress', completed: 'completed' },
  in_progress: { scheduled: null, started: 'in_progress', completed: 'completed' },
  completed: { scheduled: null, started: null, completed: null },
};

const incidentCases = Object.entries(incidentSpec).flatMap(([from, moves]) =>
  Object.entries(moves).map(([event, to]) => ({ from, type: `incident.${event}`, to })),
);
const maintenanceCases = Object.entries(maintenanceSpec).flatMap(([from, moves]) =>
  Object.entries(moves).map(([event, to]) => ({ from, type: `maintenance.${event}`, to })),
);

describe('every transition', () => {
  it.each(incidentCases)('incident $from + $type → $to', ({ from, type, to }) => {
    const run = () => nextStatus(from as IncidentStatus, type as EventType, 'incident');
    if (to !== null) return expect(run()).toBe(to);
    const error = conflictOf(run);
    expect(error.statusCode).toBe(409);
    expect(error.code).toBe('illegal_transition');
    const allowed = Object.values(incidentSpec[from]!).filter((s): s is string => s !== null && s !== from);
    const details = error.details as [{ current_status: string; allowed: string[] }];
    expect(details[0].current_status).toBe(from);
    // `allowed` names every state reachable from here (repeating the current one where that is allowed).
    for (const state of allowed) expect(details[0].allowed).toContain(state);
    for (const state of details[0].allowed) expect(Object.values(incidentSpec[from]!)).toContain(state);
  });

  it.each(maintenanceCases)('maintenance $from + $type → $to', ({ from, type, to }) => {
    const run = () => nextStatus(from as IncidentStatus, type as EventType, 'maintenance');
    if (to !== null) return expect(run()).toBe(to);
    expect(conflictOf(run).details).toEqual([
      { current_status: from, allowed: Object.values(maintenanceSpec[from]!).filter((s) => s !== null) },
    ]);
  });

  it.each([
    ['incident.investigating', 'investigating'],
    ['incident.identified', 'identified'],
    ['incident.monitoring', 'monitoring'],
    ['incident.update', 'investigating'],
    ['maintenance.scheduled', 'scheduled'],
    ['maintenance.started', 'in_progress'],
  ])('a new incident may open with %s (→ %s)', (type, status) => {
    expect(initialStatus(type as EventType)).toBe(status);
  });

  it.each(['incident.resolved', 'incident.postmortem', 'maintenance.completed'])(
    'a new incident cannot open with %s',
    (type) => {
      expect(conflictOf(() => initialStatus(type as EventType)).code).toBe('unknown_incident');
    },
  );
});
