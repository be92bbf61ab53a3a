import { useState } from 'react';
import { Link } from 'wouter';
import { withQuery } from '../api.js';
import { Badge, Empty, ErrorBox, Loading, LoadMore } from '../components.js';
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
  const byId = new Map((affected.data?.data ?? []).map((a) => [a.incident_id, a]));
  const now = useNow(10_000);

  return (
    <section aria-labelledby="incidents-title">
      <div className="page-head">
        <h1 id="incidents-title">Incidents</h1>
        <label className="inline">
          Status
          <select value={status} onChange={(e) => setStatus(e.target.value)}>
            <option value="">All</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
      </div>
      <ErrorBox error={list.error} />
      {list.loading && <Loading />}
      {list.items && list.items.length === 0 && (
        <Empty>No incidents yet. Services post them to POST /v1/events.</Empty>
      )}
      {list.items && list.items.length > 0 && (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Incident</th>
                <th scope="col">Status</th>
                <th scope="col">Severity</th>
                <th scope="col">Age</th>
                <th scope="col">Duration</th>
                <th scope="col">Affected customers</th>
              </tr>
            </thead>
            <tbody>
              {list.items.map((incident) => {
                const a = byId.get(incident.id);
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
                    <td>{a ? `${a.customers} (${a.recipients} recipients)` : '…'}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <LoadMore hasMore={list.hasMore} loading={list.loadingMore} onClick={() => void list.loadMore()} />
    </section>
  );
}
