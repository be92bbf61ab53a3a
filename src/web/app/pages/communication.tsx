import { useEffect, useId, useState } from 'react';
import { Link, useParams, useSearch } from 'wouter';
import { api, withQuery } from '../api.js';
import {
  Badge,
  ConfirmDialog,
  Empty,
  ErrorBox,
  Fact,
  FilterSelect,
  Loading,
  LoadMore,
  Progress,
  Table,
  Tabs,
} from '../components.js';
import { formatDateTime, humanize } from '../format.js';
import { useAction, useApi, useDebounced, usePaged } from '../hooks.js';
import { useSession } from '../session.js';
import type { Communication } from '../types.js';
import { SendControls } from './comm-actions.js';
import { PreviewPanel } from './preview-panel.js';
import { VersionsPanel } from './versions-panel.js';

type Tab = 'preview' | 'edit' | 'versions' | 'recipients';

function Editor({ c, onSaved }: { c: Communication; onSaved: () => void }) {
  const version = c.current_version!;
  const [subject, setSubject] = useState(version.subject);
  const [body, setBody] = useState(version.body ?? '');
  const { busy, error, run } = useAction();
  // Strings, not one object: an object would be new on every render and never settle.
  const draftSubject = useDebounced(subject, 400);
  const draftBody = useDebounced(body, 400);
  const subjectId = useId();
  const bodyId = useId();
  const dirty = subject !== version.subject || body !== (version.body ?? '');
  const frozen = ['sending', 'sent', 'cancelled'].includes(c.status);

  // Someone else saved a new version: start from it.
  useEffect(() => {
    setSubject(version.subject);
    setBody(version.body ?? '');
  }, [version.subject, version.body]);

  const save = async () => {
    const saved = await run(() =>
      api.patch(`/v1/communications/${c.id}`, {
        ...(subject !== version.subject ? { subject } : {}),
        ...(body !== (version.body ?? '') ? { body } : {}),
      }),
    );
    if (saved) onSaved();
  };
  return (
    <div className="editor">
      <form
        className="editor-form"
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <label htmlFor={subjectId}>Subject</label>
        <input
          id={subjectId}
          value={subject}
          maxLength={300}
          disabled={frozen}
          onChange={(e) => setSubject(e.target.value)}
        />
        <label htmlFor={bodyId}>
          Body{' '}
          <span className="muted small">
            (Markdown{c.kind === 'apology' ? '; {{minutes_affected}} is filled in per customer' : ''})
          </span>
        </label>
        <textarea
          id={bodyId}
          rows={18}
          value={body}
          disabled={frozen}
          placeholder={version.body === null ? 'Leave empty to keep the text from the incident event.' : ''}
          onChange={(e) => setBody(e.target.value)}
        />
        <ErrorBox error={error} title="Could not save" />
        <div className="actions">
          <button type="submit" className="primary" disabled={busy || !dirty || frozen}>
            {busy ? 'Saving…' : dirty ? `Save as version ${version.version + 1}` : 'Saved'}
          </button>
          {c.kind === 'apology' && dirty && c.status !== 'draft' && (
            <span className="small muted">
              Saving makes the apology a draft again: it needs a new approval.
            </span>
          )}
        </div>
      </form>
      <div className="editor-preview">
        <h3>Live preview</h3>
        <PreviewPanel
          communicationId={c.id}
          defaultSegment={c.segment}
          draft={{ subject: draftSubject, body: draftBody }}
        />
      </div>
    </div>
  );
}

const MESSAGE_STATUSES = ['queued', 'sent', 'delivered', 'bounced', 'failed', 'suppressed'];

interface RecipientMessage {
  id: string;
  email: string;
  status: string;
  sent_at: string | null;
  error: string | null;
}

function Recipients({ id }: { id: string }) {
  const [status, setStatus] = useState('');
  const list = usePaged<RecipientMessage>(
    withQuery('/v1/messages', { communication_id: id, status, limit: 50 }),
    { pollMs: 3000 },
  );
  return (
    <section aria-label="Recipients">
      <FilterSelect
        label="Status"
        value={status}
        onChange={setStatus}
        options={MESSAGE_STATUSES}
        anyLabel="All"
        inline
      />
      <ErrorBox error={list.error} />
      {list.items && (
        <Table columns={['Recipient', 'Status', 'Sent', 'Error']}>
          {list.items.map((m) => (
            <tr key={m.id}>
              <td>{m.email}</td>
              <td>
                <Badge value={m.status} />
              </td>
              <td>{formatDateTime(m.sent_at)}</td>
              <td>{m.error ?? ''}</td>
            </tr>
          ))}
        </Table>
      )}
      {list.items?.length === 0 && <Empty>No messages yet: they are created when it goes out.</Empty>}
      <LoadMore list={list} />
    </section>
  );
}

function SubmitForApproval({ c, onDone }: { c: Communication; onDone: () => void }) {
  const [open, setOpen] = useState(false);
  const { busy, error, run } = useAction();
  const submit = async () => {
    const done = await run(() => api.post(`/v1/communications/${c.id}/submit`));
    setOpen(false);
    if (done) onDone();
  };
  return (
    <>
      <button type="button" className="primary" onClick={() => setOpen(true)}>
        Submit for approval
      </button>
      <ErrorBox error={error} title="Could not submit" />
      <ConfirmDialog
        open={open}
        title="Ask for approval?"
        confirmLabel="Submit"
        busy={busy}
        onConfirm={() => void submit()}
        onCancel={() => setOpen(false)}
      >
        <p>
          {c.sender?.name ?? 'The executive'} gets an e-mail with a link to approve version{' '}
          {c.current_version?.version} exactly as it is now.
        </p>
      </ConfirmDialog>
    </>
  );
}

export function CommunicationPage() {
  const { id } = useParams<{ id: string }>();
  const search = new URLSearchParams(useSearch());
  const { user } = useSession();
  const [tab, setTab] = useState<Tab>((search.get('tab') as Tab | null) ?? 'preview');
  const comm = useApi<Communication>(`/v1/communications/${id}`, { pollMs: 1500 });
  const c = comm.data;
  if (comm.loading) return <Loading />;
  if (!c) return <ErrorBox error={comm.error} title="Could not load the communication" />;
  const v = c.current_version;
  const staff = user.role !== 'executive';
  return (
    <article aria-labelledby="comm-title">
      <p className="crumbs">
        <Link href="/incidents">Incidents</Link> / <Link href={`/incidents/${c.incident_id}`}>Incident</Link>{' '}
        /
      </p>
      <div className="page-head">
        <h1 id="comm-title">{v?.subject ?? 'Communication'}</h1>
        <Badge value={c.status} />
      </div>
      <ErrorBox error={comm.error} />
      <dl className="facts">
        <Fact term="Kind">{humanize(c.kind)}</Fact>
        <Fact term="Segment">{c.segment}</Fact>
        <Fact term="From">{c.from}</Fact>
        <Fact term="Version">{v?.version ?? '—'}</Fact>
        {c.approval && (
          <Fact term="Approval">
            {c.approval.decision} (v{c.approval.version}) {formatDateTime(c.approval.at)}
            {c.approval.reason ? ` — “${c.approval.reason}”` : ''}
          </Fact>
        )}
      </dl>
      <div className="card">
        <Progress counts={c.counts} recipients={c.recipients} />
        <div className="actions">
          {staff && c.kind === 'apology' && c.status === 'draft' && (
            <SubmitForApproval c={c} onDone={() => void comm.reload()} />
          )}
          {c.status === 'pending_approval' && (
            <span className="muted">Waiting for {c.sender?.name ?? 'the executive'} to approve.</span>
          )}
          <SendControls communication={c} onChange={() => void comm.reload()} />
        </div>
      </div>
      <Tabs
        label="Communication"
        value={tab}
        onChange={setTab}
        tabs={[
          { value: 'preview', label: 'Preview' },
          ...(staff ? [{ value: 'edit' as const, label: 'Edit' }] : []),
          { value: 'versions', label: 'Versions' },
          { value: 'recipients', label: 'Recipients' },
        ]}
      />
      <div className="tab-panel">
        {tab === 'preview' && (
          <PreviewPanel communicationId={c.id} defaultSegment={c.segment} version={v?.version} />
        )}
        {tab === 'edit' && v && <Editor c={c} onSaved={() => void comm.reload()} />}
        {tab === 'versions' && <VersionsPanel communicationId={c.id} current={v?.version ?? 1} />}
        {tab === 'recipients' && <Recipients id={c.id} />}
      </div>
    </article>
  );
}
