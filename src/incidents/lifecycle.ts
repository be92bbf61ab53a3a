import { conflict } from '../http/errors.js';

export const incidentStatuses = [
  'investigating',
  'identified',
  'monitoring',
  'resolved',
  'postmortem',
] as const;
export const maintenanceStatuses = ['scheduled', 'in_progress', 'completed'] as const;
export type IncidentStatus = (typeof incidentStatuses)[number] | (typeof maintenanceStatuses)[number];

export const eventTypes = [
  'incident.investigating',
  'incident.identified',
  'incident.monitoring',
  'incident.resolved',
  'incident.postmortem',
  'incident.update',
  'maintenance.scheduled',
  'maintenance.started',
  'maintenance.completed',
] as const;
export type EventType = (typeof eventTypes)[number];

const OPEN = ['investigating', 'identified', 'monitoring'] as const;

/** Where each state may go next. Open states move forward (or repeat), any open state may resolve. */
const NEXT: Record<IncidentStatus, readonly IncidentStatus[]> = {
  investigating: ['investigating', 'identified', 'monitoring', 'resolved'],
  identified: ['identified', 'monitoring', 'resolved'],
  monitoring: ['monitoring', 'resolved'],
  resolved: ['investigating', 'postmortem'],
  postmortem: [],
  scheduled: ['scheduled', 'in_progress', 'completed'],
  in_progress: ['in_progress', 'completed'],
  completed: [],
};

const TARGET: Record<EventType, IncidentStatus | null> = {
  'incident.investigating': 'investigating',
  'incident.identified': 'identified',
  'incident.monitoring': 'monitoring',
  'incident.resolved': 'resolved',
  'incident.postmortem': 'postmortem',
  'incident.update': null,
  'maintenance.scheduled': 'scheduled',
  'maintenance.started': 'in_progress',
  'maintenance.completed': 'completed',
};

export const isMaintenanceEvent = (type: EventType) => type.startsWith('maintenance.');

const FINISHED: readonly string[] = ['resolved', 'postmortem', 'completed'];
/** Over: a new event that opens something for the same series starts a new incident instead. */
export const isFinished = (status: string) => FINISHED.includes(status);

/** Statuses during which customers are affected; each stretch of them is one window of the incident. */
const DISRUPTING: readonly string[] = [...OPEN, 'in_progress'];
export const isDisrupting = (status: string) => DISRUPTING.includes(status);

/** Whether an event of this type may open a new incident (everything but resolve/postmortem/complete). */
export const canOpen = (type: EventType) => {
  const target = TARGET[type];
  return target === null || !isFinished(target);
};

/**
 * The types that normally start an incident or a maintenance. Others may open one too (a first
 * `identified`), but mostly arrive for one that exists: ingest looks for that first.
 */
export const usuallyOpens = (type: EventType) =>
  type === 'incident.investigating' || type === 'maintenance.scheduled';

/** The status an event of this type gives a new incident, or a 409 when it cannot start one. */
export function initialStatus(type: EventType): IncidentStatus {
  const target = TARGET[type] ?? 'investigating';
  if (target === 'resolved' || target === 'postmortem' || target === 'completed') {
    throw conflict(
      'unknown_incident',
      `A ${type} event cannot open a new ${isMaintenanceEvent(type) ? 'maintenance' : 'incident'}; ` +
        'send its opening event first (incident.investigating or maintenance.scheduled).',
    );
  }
  return target;
}

/**
 * The status after applying `type` to an incident in `current`; 409 naming the current state and the
 * allowed next ones when the move is illegal. `incident.update` changes text only, never the state.
 */
export function nextStatus(
  current: IncidentStatus,
  type: EventType,
  kind: 'incident' | 'maintenance',
): IncidentStatus {
  if (isMaintenanceEvent(type) !== (kind === 'maintenance')) {
    throw conflict('illegal_transition', `A ${type} event does not apply to this ${kind}.`, [
      { current_status: current, allowed: NEXT[current] },
    ]);
  }
  const target = TARGET[type];
  if (target === null) {
    if (current === 'postmortem') {
      throw conflict('illegal_transition', 'Nothing leaves postmortem: the incident is closed.', [
        { current_status: current, allowed: [] },
      ]);
    }
    return current;
  }
  if (!NEXT[current].includes(target)) {
    const allowed = NEXT[current];
    throw conflict(
      'illegal_transition',
      `Cannot move from ${current} to ${target}; allowed next: ${allowed.length ? allowed.join(', ') : 'none'}.`,
      [{ current_status: current, allowed }],
    );
  }
  return target;
}
