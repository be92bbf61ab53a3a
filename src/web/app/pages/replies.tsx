import { useState } from 'react';
import { api, withQuery } from '../api.js';
import { Badge, Empty, ErrorBox, FilterSelect, ListStatus, Loading, LoadMore } from '../components.js';
import { formatDateTime } from '../format.js';
import { useAction, useApi, usePaged } from '../hooks.js';
import type { Page, Preview, Reply } from '../types.js';

const CATEGORIES = ['thanks', 'question', 'complaint', 'unsubscribe_request', 'other'];
const STATUSES = ['new', 'acknowledged', 'answered', 'closed'] as const;

/** The e-mail the reply answers, as that recipient got it. */
function Original({ reply }: { reply: Reply }) {
  const message = useApi<Page<{ email: string }>>(
    reply.message_id ? withQuery('/v1/messages', { id: reply.message_id, limit: 1 }) : null,
  );
  const email = message.data?.data[0]?.email;
  const preview = useApi<Preview>(
    reply.communication_id && email
      ? withQuery(`/v1/communications/${reply.communication_id}/preview`, { format: 'json', contact: email })
      : null,
  );
  if (!reply.communication_id) return <Empty>Not matched to an e-mail Candor sent.</Empty>;
  if (!preview.data) {
    const error = message.error ?? preview.error;
    return error ? <ErrorBox error={error} /> : <Loading />;
  }
  return (
    <div className="original">
      <p className="small muted">
        <strong>{preview.data.headers.subject}</strong> to {preview.data.headers.to}
      </p>
      <iframe
        title="The e-mail this reply answers"
        className="preview-frame desktop short"
        sandbox=""
        srcDoc={preview.data.html}
      />
    </div>
  );
}

function ReplyDetail({ reply, onChange }: { reply: Reply; onChange: () => void }) {
  const { busy, error, run } = useAction();
  const setStatus = async (status: string) => {
    const done = await run(() => api.patch(`/v1/replies/${reply.id}`, { status }));
    if (done) onChange();
  };
  return (
    <article className="reply-detail" aria-labelledby="reply-title">
      <div className="side-by-side">
        <section>
          <h2 id="reply-title">{reply.subject ?? '(no subject)'}</h2>
          <p className="small">
            From <strong>{reply.from}</strong> · {formatDateTime(reply.received_at)}
          </p>
          <p>
            {reply.category && <Badge value={reply.category} />} <Badge value={reply.status} />{' '}
            {reply.auto && <Badge value="auto" />} {!reply.matched && <Badge value="unmatched" />}
          </p>
          <pre className="reply-text">{reply.text ?? ''}</pre>
          <fieldset className="segmented">
            <legend>Status</legend>
            {STATUSES.map((s) => (
              <button
                key={s}
                type="button"
                aria-pressed={reply.status === s}
                disabled={busy || reply.status === s}
                onClick={() => void setStatus(s)}
              >
                {s}
              </button>
            ))}
          </fieldset>
          <ErrorBox error={error} title="Could not change the status" />
        </section>
        <section aria-label="The e-mail it answers">
          <h3>In reply to</h3>
          <Original reply={reply} />
        </section>
      </div>
    </article>
  );
}

export function RepliesPage() {
  const [incident, setIncident] = useState(
    () => new URLSearchParams(window.location.search).get('incident_id') ?? '',
  );
  const [category, setCategory] = useState('');
  const [status, setStatus] = useState('');
  const [auto, setAuto] = useState('false');
  const [view, setView] = useState<'matched' | 'unmatched'>('matched');
  const [selected, setSelected] = useState<string | null>(null);
  const list = usePaged<Reply>(
    withQuery('/v1/replies', {
      incident_id: incident.trim(),
      category,
      status,
      auto,
      matched: view === 'matched' ? undefined : 'false',
      limit: 25,
    }),
    { pollMs: 2000 },
  );
  const current = list.items?.find((r) => r.id === selected);
  return (
    <section aria-labelledby="replies-title">
      <div className="page-head">
        <h1 id="replies-title">Replies</h1>
        <fieldset className="segmented">
          <legend className="visually-hidden">View</legend>
          <button type="button" aria-pressed={view === 'matched'} onClick={() => setView('matched')}>
            Inbox
          </button>
          <button type="button" aria-pressed={view === 'unmatched'} onClick={() => setView('unmatched')}>
            Unmatched
          </button>
        </fieldset>
      </div>
      <form className="filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          Incident id
          <input value={incident} onChange={(e) => setIncident(e.target.value)} placeholder="inc_…" />
        </label>
        <FilterSelect label="Category" value={category} onChange={setCategory} options={CATEGORIES} />
        <FilterSelect label="Status" value={status} onChange={setStatus} options={STATUSES} />
        <label>
          Auto-replies
          <select value={auto} onChange={(e) => setAuto(e.target.value)}>
            <option value="false">Hide</option>
            <option value="">Show</option>
            <option value="true">Only</option>
          </select>
        </label>
      </form>
      <ErrorBox error={list.error} />
      <div className="split">
        <div className="split-list">
          <ListStatus list={list}>No replies match.</ListStatus>
          <ul className="item-list" aria-label="Replies">
            {list.items?.map((r) => (
              <li key={r.id} className={r.id === selected ? 'selected' : ''}>
                <button type="button" className="item-button" onClick={() => setSelected(r.id)}>
                  <strong>{r.from ?? 'unknown sender'}</strong>
                  <span className="small muted"> {formatDateTime(r.received_at)}</span>
                  <span className="excerpt">{(r.text ?? r.subject ?? '').slice(0, 140)}</span>
                  <span>
                    {r.category && <Badge value={r.category} />} <Badge value={r.status} />
                  </span>
                </button>
              </li>
            ))}
          </ul>
          <LoadMore list={list} />
        </div>
        <div className="split-detail">
          {current ? (
            <ReplyDetail key={current.id} reply={current} onChange={() => void list.reload()} />
          ) : (
            <Empty>Choose a reply to read it beside the e-mail it answers.</Empty>
          )}
        </div>
      </div>
    </section>
  );
}
