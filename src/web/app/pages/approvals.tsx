import { type FormEvent, useId, useState } from 'react';
import { Link, useParams } from 'wouter';
import { api, withQuery } from '../api.js';
import { Badge, ConfirmDialog, Empty, ErrorBox, Fact, ListStatus, Loading, LoadMore } from '../components.js';
import { formatDateTime } from '../format.js';
import { useAction, useApi, usePaged } from '../hooks.js';
import { useSession } from '../session.js';
import type { Communication, CommunicationListItem, SegmentAudience } from '../types.js';
import { PreviewPanel } from './preview-panel.js';
import { VersionsPanel } from './versions-panel.js';

function Decision({ c, onDone }: { c: Communication; onDone: () => void }) {
  const { user } = useSession();
  const [reason, setReason] = useState('');
  const [confirm, setConfirm] = useState(false);
  const { busy, error, run } = useAction();
  const reasonId = useId();
  const version = c.current_version?.version ?? 0;
  if (c.status !== 'pending_approval') return null;
  if (c.sender?.id !== user.id) {
    return <p className="muted">Only {c.sender?.name ?? 'the named executive'} can approve this letter.</p>;
  }
  const approve = async () => {
    const done = await run(() => api.post(`/v1/communications/${c.id}/approve`, { version }));
    setConfirm(false);
    if (done) onDone();
  };
  const reject = async (event: FormEvent) => {
    event.preventDefault();
    const done = await run(() =>
      api.post(`/v1/communications/${c.id}/reject`, { version, ...(reason.trim() ? { reason } : {}) }),
    );
    if (done) onDone();
  };
  return (
    <section className="card decision" aria-labelledby="decision-title">
      <h2 id="decision-title">Your decision on version {version}</h2>
      <div className="actions">
        <button type="button" className="primary" onClick={() => setConfirm(true)}>
          Approve version {version}
        </button>
      </div>
      <form onSubmit={reject}>
        <label htmlFor={reasonId}>Reason for rejecting (sent back to the comms team)</label>
        <textarea id={reasonId} rows={3} value={reason} onChange={(e) => setReason(e.target.value)} />
        <button type="submit" className="danger" disabled={busy}>
          Reject
        </button>
      </form>
      <ErrorBox error={error} title="Could not record your decision" />
      <ConfirmDialog
        open={confirm}
        title={`Approve version ${version}?`}
        confirmLabel="Approve"
        busy={busy}
        onConfirm={() => void approve()}
        onCancel={() => setConfirm(false)}
      >
        <p>
          The letter may then go out under your name to about {c.recipients} recipients, exactly as shown. Any
          later edit needs your approval again.
        </p>
      </ConfirmDialog>
    </section>
  );
}

function ApprovalDetail({ id, onDecided }: { id: string; onDecided: () => void }) {
  const comm = useApi<Communication>(`/v1/communications/${id}`);
  const c = comm.data;
  const audience = useApi<{ segments: SegmentAudience[] }>(
    c ? `/v1/incidents/${c.incident_id}/audience` : null,
  );
  if (comm.loading) return <Loading />;
  if (!c) return <ErrorBox error={comm.error} />;
  const row = audience.data?.segments.find((s) => s.segment === c.segment);
  return (
    <article className="approval-detail" aria-labelledby="approval-title">
      <div className="page-head">
        <h2 id="approval-title">{c.current_version?.subject}</h2>
        <Badge value={c.status} />
      </div>
      <dl className="facts">
        <Fact term="From">{c.from}</Fact>
        <Fact term="Audience">
          {row ? `${row.customers} customers, ${row.recipients} recipients` : `${c.recipients} recipients`} in{' '}
          {c.segment}
        </Fact>
        <Fact term="Incident">
          <Link href={`/incidents/${c.incident_id}`}>open</Link>
        </Fact>
      </dl>
      <Decision
        c={c}
        onDone={() => {
          void comm.reload();
          onDecided();
        }}
      />
      <h3>Changes</h3>
      <VersionsPanel communicationId={c.id} current={c.current_version?.version ?? 1} />
      <h3>The letter</h3>
      <PreviewPanel communicationId={c.id} defaultSegment={c.segment} version={c.current_version?.version} />
    </article>
  );
}

export function ApprovalsPage() {
  const { id } = useParams<{ id?: string }>();
  const { user } = useSession();
  const [status, setStatus] = useState('pending_approval');
  const mine = user.role === 'executive';
  const list = usePaged<CommunicationListItem>(
    withQuery('/v1/communications', { kind: 'apology', status, sender: mine ? 'me' : undefined, limit: 25 }),
    { pollMs: 5000 },
  );
  return (
    <section aria-labelledby="approvals-title" className="split">
      <div className="split-list">
        <div className="page-head">
          <h1 id="approvals-title">{mine ? 'Your approvals' : 'Approvals'}</h1>
        </div>
        <label className="inline">
          Show
          <select value={status} onChange={(e) => setStatus(e.target.value)}>
            <option value="pending_approval">Waiting for approval</option>
            <option value="approved,sending,sent">Approved</option>
            <option value="draft">Drafts</option>
            <option value="">All apologies</option>
          </select>
        </label>
        <ErrorBox error={list.error} />
        <ListStatus list={list}>Nothing here.</ListStatus>
        <ul className="item-list">
          {list.items?.map((c) => (
            <li key={c.id} className={c.id === id ? 'selected' : ''}>
              <Link href={`/approvals/${c.id}`}>
                <strong>{c.subject}</strong>
              </Link>
              <div className="small muted">
                {c.incident_title} · {c.segment} · v{c.version} · {c.sender?.name ?? ''} ·{' '}
                {formatDateTime(c.updated_at)}
              </div>
              <Badge value={c.status} />
            </li>
          ))}
        </ul>
        <LoadMore list={list} />
      </div>
      <div className="split-detail">
        {id ? (
          <ApprovalDetail key={id} id={id} onDecided={() => void list.reload()} />
        ) : (
          <Empty>Choose a letter to review it.</Empty>
        )}
        {id && <Link href="/approvals">Close</Link>}
      </div>
    </section>
  );
}
