import { useState } from 'react';
import { Link, useParams } from 'wouter';
import { withQuery } from '../api.js';
import { Empty, ErrorBox, HeaderTable, ListStatus, Loading, LoadMore, Tabs } from '../components.js';
import { formatDateTime } from '../format.js';
import { useApi, useDebounced, usePaged } from '../hooks.js';
import type { OutboxItem, OutboxMessage } from '../types.js';

function OutboxView({ id }: { id: string }) {
  const message = useApi<OutboxMessage>(`/v1/outbox/${id}`);
  const [view, setView] = useState<'html' | 'text' | 'headers' | 'source'>('html');
  const m = message.data;
  if (message.loading) return <Loading />;
  if (!m) return <ErrorBox error={message.error} />;
  return (
    <article aria-labelledby="outbox-title">
      <h2 id="outbox-title">{m.subject}</h2>
      <p className="small">
        From {m.from} to <strong>{m.to}</strong> · {formatDateTime(m.created_at)}
      </p>
      <Tabs
        label="Message view"
        value={view}
        onChange={setView}
        tabs={[
          { value: 'html', label: 'HTML' },
          { value: 'text', label: 'Plain text' },
          { value: 'headers', label: 'Headers' },
          { value: 'source', label: 'Source' },
        ]}
      />
      {view === 'html' &&
        (m.html ? (
          <iframe title="Captured e-mail" className="preview-frame desktop" sandbox="" srcDoc={m.html} />
        ) : (
          <Empty>No HTML part.</Empty>
        ))}
      {view === 'text' && <pre className="preview-text">{m.text ?? ''}</pre>}
      {view === 'headers' && <HeaderTable headers={m.headers} />}
      {view === 'source' && <pre className="preview-text">{m.mime}</pre>}
    </article>
  );
}

/** What the outbox transport captured instead of sending: a local mail catcher. */
export function OutboxPage() {
  const { id } = useParams<{ id?: string }>();
  const [to, setTo] = useState('');
  const settled = useDebounced(to.trim(), 300);
  const list = usePaged<OutboxItem>(withQuery('/v1/outbox', { to: settled, limit: 50 }), { pollMs: 3000 });
  return (
    <section aria-labelledby="outbox-page-title">
      <div className="page-head">
        <h1 id="outbox-page-title">Outbox</h1>
        <label className="inline">
          Recipient
          <input
            type="search"
            value={to}
            onChange={(e) => setTo(e.target.value)}
            placeholder="part of the address"
          />
        </label>
      </div>
      <p className="small muted">
        Nothing leaves this machine: the outbox transport keeps every finished message here.
      </p>
      <ErrorBox error={list.error} />
      <div className="split">
        <div className="split-list">
          <ListStatus list={list}>No captured messages.</ListStatus>
          <ul className="item-list">
            {list.items?.map((m) => (
              <li key={m.id} className={m.id === id ? 'selected' : ''}>
                <Link href={`/outbox/${m.id}`}>{m.subject}</Link>
                <div className="small muted">
                  to {m.to} · {formatDateTime(m.created_at)}
                </div>
              </li>
            ))}
          </ul>
          <LoadMore list={list} />
        </div>
        <div className="split-detail">
          {id ? <OutboxView key={id} id={id} /> : <Empty>Choose a message.</Empty>}
        </div>
      </div>
    </section>
  );
}
