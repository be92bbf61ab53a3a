import { useState } from 'react';
import { Link } from 'wouter';
import { withQuery } from '../api.js';
import { Badge, ErrorBox, FilterSelect, ListStatus, LoadMore, Table } from '../components.js';
import { formatAge, formatDuration } from '../format.js';
import { useApi, useNow, usePaged } from '../hooks.js';
import type { Incident } from '../types.js';

const STATUSES = ['investigating', 'identified', 'monitoring', 'resolved', 'postmortem'];

interface Affected {
  incident_id: string;
  customers: number;
  recipients: number;
}

export function IncidentsPage() {
  const [status, setStatus] = useState('');
  const list = usePaged<Incident>(withQuery('/v1/incidents', { status, limit: 25 }), { pollMs: 5000 });
  const ids = (list.items ?? []).map((i) => i.id).join(',');
  const affected = useApi<{ data: Affected[] }>(
    ids ? withQuery('/v1/audience/affected', { incident_ids: ids }) : null,
  );
  const affectedById = new Map((affected.data?.data ?? []).map((a) => [a.incident_id, a]));
  const now = useNow(10_000);

  return (
    <section aria-labelledby="incidents-title">
      <div className="page-head">
        <h1 id="incidents-title">Incidents</h1>
        <FilterSelect
          label="Status"
          value={status}
          onChange={setStatus}
          options={STATUSES}
          anyLabel="All"
          inline
        />
      </div>
      <ErrorBox error={list.error} />
      <ListStatus list={list}>No incidents yet. Services post them to POST /v1/events.</ListStatus>
      {list.items && list.items.length > 0 && (
        <Table columns={['Incident', 'Status', 'Severity', 'Age', 'Duration', 'Affected customers']}>
          {list.items.map((incident) => {
            const reach = affectedById.get(incident.id);
            return (
              <tr key={incident.id}>
                <td>
                  <Link href={`/incidents/${incident.id}`}>{incident.title}</Link>
                  <div className="muted small">
                    {incident.ref}
                    {incident.series ? ` · ${incident.series.label}` : ''}
                  </div>
                </td>
                <td>
                  <Badge value={incident.status} />
                </td>
                <td>
                  <Badge value={incident.severity} />
                </td>
                <td>{formatAge(incident.started_at, now)}</td>
                <td>{formatDuration(incident.duration_seconds)}</td>
                <td>{reach ? `${reach.customers} (${reach.recipients} recipients)` : '…'}</td>
              </tr>
            );
          })}
        </Table>
      )}
      <LoadMore list={list} />
    </section>
  );
}
