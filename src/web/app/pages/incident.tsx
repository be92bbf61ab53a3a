import { type FormEvent, useState } from 'react';
import { Link, useLocation, useParams } from 'wouter';
import { api } from '../api.js';
import { Badge, Empty, ErrorBox, Fact, Loading, Progress, Table } from '../components.js';
import { formatAge, formatDateTime, formatDuration, humanize } from '../format.js';
import { useAction, useApi, useNow } from '../hooks.js';
import { useSession } from '../session.js';
import type { Communication, IncidentDetail, Page, SegmentAudience, Sender } from '../types.js';
import { SendControls } from './comm-actions.js';

function DraftApology({ incidentId, segments }: { incidentId: string; segments: SegmentAudience[] }) {
  const senders = useApi<Page<Sender>>('/v1/senders');
  const [segment, setSegment] = useState('affected-enterprise');
  const [sender, setSender] = useState('');
  const { busy, error, run } = useAction();
  const [, navigate] = useLocation();
  const chosen = sender || senders.data?.data[0]?.id || '';
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const draft = await run(() =>
      api.post<Communication>(`/v1/incidents/${incidentId}/communications`, {
        kind: 'apology',
        segment,
        sender: chosen,
      }),
    );
    if (draft) navigate(`/communications/${draft.id}?tab=edit`);
  };
  return (
    <form className="card" onSubmit={submit} aria-labelledby="draft-title">
      <h2 id="draft-title">Draft an executive apology</h2>
      <p className="muted">Drafted from the incident's facts; the executive approves the exact text.</p>
      <div className="row">
        <label>
          Segment
          <select value={segment} onChange={(e) => setSegment(e.target.value)}>
            {segments.map((s) => (
              <option key={s.segment} value={s.segment}>
                {s.name} ({s.recipients})
              </option>
            ))}
          </select>
        </label>
        <label>
          Signed by
          <select value={chosen} onChange={(e) => setSender(e.target.value)} required>
            {(senders.data?.data ?? []).map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
                {s.title ? `, ${s.title}` : ''}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" className="primary" disabled={busy || !chosen}>
          {busy ? 'Drafting…' : 'Draft apology'}
        </button>
      </div>
      <ErrorBox error={error ?? senders.error} title="Could not draft" />
    </form>
  );
}

export function IncidentPage() {
  const { id } = useParams<{ id: string }>();
  const { user } = useSession();
  const incident = useApi<IncidentDetail>(`/v1/incidents/${id}`, { pollMs: 2000 });
  const audience = useApi<{ segments: SegmentAudience[] }>(`/v1/incidents/${id}/audience`);
  const now = useNow();
  const i = incident.data;

  if (incident.loading) return <Loading />;
  if (!i) return <ErrorBox error={incident.error} title="Could not load the incident" />;
  return (
    <article aria-labelledby="incident-title">
      <p className="crumbs">
        <Link href="/incidents">Incidents</Link> /
      </p>
      <div className="page-head">
        <h1 id="incident-title">{i.title}</h1>
        <div className="badges">
          <Badge value={i.status} /> <Badge value={i.severity} />
        </div>
      </div>
      <ErrorBox error={incident.error} />
      <dl className="facts">
        <Fact term="Started">
          {formatDateTime(i.started_at)} ({formatAge(i.started_at, now)})
        </Fact>
        <Fact term="Duration">{formatDuration(i.duration_seconds)}</Fact>
        <Fact term="Regions">{i.regions.join(', ') || 'all'}</Fact>
        <Fact term="Components">{i.components.join(', ') || 'all'}</Fact>
        {i.series && <Fact term="Series">{i.series.label}</Fact>}
      </dl>

      <section aria-labelledby="comms-title">
        <h2 id="comms-title">Communications</h2>
        {i.communications.length === 0 && <Empty>No e-mail planned for this incident.</Empty>}
        <ul className="comm-list">
          {i.communications.map((c) => (
            <li key={c.id} className="card comm">
              <div className="comm-head">
                <Link href={`/communications/${c.id}`}>
                  {humanize(c.kind)} to <strong>{c.segment}</strong>
                </Link>
                <Badge value={c.status} />
              </div>
              <Progress counts={c.counts} recipients={c.recipients} />
              <SendControls communication={c} onChange={() => void incident.reload()} />
            </li>
          ))}
        </ul>
      </section>

      <div className="two-col">
        <section aria-labelledby="audience-title">
          <h2 id="audience-title">Audience per segment</h2>
          <ErrorBox error={audience.error} />
          {audience.data && (
            <Table columns={['Segment', 'Customers', 'Recipients', 'Suppressed', 'Mailed']}>
              {audience.data.segments.map((s) => (
                <tr key={s.segment}>
                  <td>
                    {s.name} <span className="muted small">{s.segment}</span>
                  </td>
                  <td>{s.customers}</td>
                  <td>{s.recipients}</td>
                  <td>{s.suppressed}</td>
                  <td>{s.notify ? 'automatically' : 'by hand'}</td>
                </tr>
              ))}
            </Table>
          )}
        </section>
        <section aria-labelledby="timeline-title">
          <h2 id="timeline-title">Timeline</h2>
          <ol className="timeline">
            {i.timeline.map((e) => (
              <li key={e.id}>
                <time dateTime={e.occurred_at}>{formatDateTime(e.occurred_at)}</time>{' '}
                <Badge value={e.type.replace(/^(incident|maintenance)\./, '')} />
                {e.message && <p>{e.message}</p>}
              </li>
            ))}
          </ol>
        </section>
      </div>
      {user.role !== 'executive' && audience.data && (
        <DraftApology incidentId={i.id} segments={audience.data.segments} />
      )}
    </article>
  );
}
