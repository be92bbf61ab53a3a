import { useEffect, useId, useState } from 'react';
import { type ApiError, api } from '../api.js';
import { ConfirmDialog, Empty, ErrorBox, Loading } from '../components.js';
import { asApiError, useAction, useApi, useDebounced } from '../hooks.js';
import type { Page, Segment } from '../types.js';

interface Count {
  customers: number;
  recipients: number;
  suppressed: number;
}

/** Default segments are restored at every start, so the API refuses to delete them: no Delete button. */
const isDefault = (s: Segment) => s.default === true;

const NEW: Segment = {
  key: '',
  name: '',
  rule: { all: [{ affected: true }, { field: 'tier', in: ['pro'] }] },
  template: 'affected',
  send_policy: null,
  priority: 100,
  default: false,
};

/** Counts the rule as it is typed, so the editor shows whom a change would reach before it is saved. */
function LiveCount({ ruleText, incident }: { ruleText: string; incident: string }) {
  const settled = useDebounced(ruleText, 400);
  const settledIncident = useDebounced(incident.trim(), 400);
  const [count, setCount] = useState<Count | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [parseError, setParseError] = useState<string | null>(null);
  useEffect(() => {
    let rule: unknown;
    try {
      rule = JSON.parse(settled);
      setParseError(null);
    } catch (e) {
      setParseError(e instanceof Error ? e.message : String(e));
      setCount(null);
      return;
    }
    let stale = false;
    api
      .post<Count>('/v1/segments/count', {
        rule,
        ...(settledIncident ? { incident_id: settledIncident } : {}),
      })
      .then(
        (c) => {
          if (stale) return;
          setCount(c);
          setError(null);
        },
        (e) => {
          if (stale) return;
          setCount(null);
          setError(asApiError(e));
        },
      );
    return () => {
      stale = true;
    };
  }, [settled, settledIncident]);
  return (
    <div className="live-count" aria-live="polite">
      {parseError && <p className="error">Not valid JSON: {parseError}</p>}
      <ErrorBox error={error} title="The rule cannot be counted" />
      {count && (
        <p>
          Matches <strong>{count.customers}</strong> customers, <strong>{count.recipients}</strong> recipients
          {count.suppressed ? ` (${count.suppressed} suppressed)` : ''}.
        </p>
      )}
    </div>
  );
}

function SegmentEditor({
  segment,
  onSaved,
  onDeleted,
}: {
  segment: Segment;
  onSaved: (key: string) => void;
  onDeleted: (key: string) => void;
}) {
  const [key, setKey] = useState(segment.key);
  const [name, setName] = useState(segment.name);
  const [priority, setPriority] = useState(String(segment.priority));
  const [template, setTemplate] = useState(segment.template ?? '');
  const [ruleText, setRuleText] = useState(JSON.stringify(segment.rule, null, 2));
  const [incident, setIncident] = useState('');
  const { busy, error, run } = useAction();
  const removal = useAction();
  const [confirming, setConfirming] = useState(false);
  const [saved, setSaved] = useState(false);
  const creating = segment.key === '';
  const ids = {
    key: useId(),
    name: useId(),
    priority: useId(),
    template: useId(),
    rule: useId(),
    incident: useId(),
  };
  const save = async () => {
    setSaved(false);
    let rule: unknown;
    try {
      rule = JSON.parse(ruleText);
    } catch {
      return; // LiveCount already shows why the rule is not valid JSON.
    }
    const done = await run(() =>
      api.put(`/v1/segments/${encodeURIComponent(key)}`, {
        name,
        rule,
        template: template || null,
        priority: Number(priority),
        send_policy: segment.send_policy,
      }),
    );
    if (done) {
      setSaved(true);
      onSaved(key);
    }
  };
  const remove = async () => {
    const done = await removal.run(async () => {
      await api.delete(`/v1/segments/${encodeURIComponent(segment.key)}`);
      return true;
    });
    setConfirming(false);
    if (done) onDeleted(segment.key);
  };
  return (
    <form
      className="card segment-editor"
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <div className="row">
        <div className="field">
          <label htmlFor={ids.key}>Key</label>
          <input
            id={ids.key}
            value={key}
            required
            disabled={!creating}
            onChange={(e) => setKey(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor={ids.name}>Name</label>
          <input id={ids.name} value={name} required onChange={(e) => setName(e.target.value)} />
        </div>
      </div>
      <div className="row">
        <div className="field">
          <label htmlFor={ids.priority}>Priority (lower is matched first)</label>
          <input
            id={ids.priority}
            type="number"
            min={0}
            value={priority}
            onChange={(e) => setPriority(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor={ids.template}>Template variant</label>
          <input id={ids.template} value={template} onChange={(e) => setTemplate(e.target.value)} />
        </div>
      </div>
      <label htmlFor={ids.rule}>Rule (JSON)</label>
      <textarea
        id={ids.rule}
        rows={10}
        className="code"
        spellCheck={false}
        value={ruleText}
        onChange={(e) => setRuleText(e.target.value)}
      />
      <p className="small muted">
        Operators: <code>all</code>, <code>any</code>, <code>not</code>, <code>{'{"affected": true}'}</code>,{' '}
        <code>{'{"field": "tier", "in": [...]}'}</code>, <code>eq</code>, <code>exists</code>; fields tier,
        locale, regions, components, attributes.&lt;key&gt;.
      </p>
      <label htmlFor={ids.incident}>Count for incident (needed when the rule uses “affected”)</label>
      <input
        id={ids.incident}
        value={incident}
        placeholder="inc_…"
        onChange={(e) => setIncident(e.target.value)}
      />
      <LiveCount ruleText={ruleText} incident={incident} />
      <ErrorBox error={error} title="Could not save" />
      <ErrorBox error={removal.error} title="Could not delete the segment" />
      {saved && <p role="status">Saved.</p>}
      <div className="actions">
        <button type="submit" className="primary" disabled={busy}>
          Save segment
        </button>
        {!creating &&
          (isDefault(segment) ? (
            <span className="small muted">A default segment cannot be deleted; change its rule instead.</span>
          ) : (
            <button
              type="button"
              className="danger"
              disabled={removal.busy}
              onClick={() => setConfirming(true)}
            >
              Delete segment
            </button>
          ))}
      </div>
      <ConfirmDialog
        open={confirming}
        title={`Delete segment “${segment.name}”?`}
        confirmLabel="Delete"
        danger
        busy={removal.busy}
        onConfirm={() => void remove()}
        onCancel={() => setConfirming(false)}
      >
        <p>
          Its contacts fall to the next segment, by priority, whose rule they match. Communications still in
          progress for it prevent the deletion.
        </p>
      </ConfirmDialog>
    </form>
  );
}

export function SegmentsPage() {
  const segments = useApi<Page<Segment>>('/v1/segments');
  const [selected, setSelected] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const choose = (key: string | null) => {
    setSelected(key);
    setNotice(null);
  };
  const list = segments.data?.data ?? [];
  const current = selected === '' ? NEW : list.find((s) => s.key === selected);
  return (
    <section aria-labelledby="segments-title" className="split">
      <div className="split-list">
        <h1 id="segments-title">Segments</h1>
        <p className="small muted">
          A contact belongs to the first segment, by priority, whose rule it matches.
        </p>
        <ErrorBox error={segments.error} />
        {segments.loading && <Loading />}
        <ul className="item-list">
          {list.map((s) => (
            <li key={s.key} className={s.key === selected ? 'selected' : ''}>
              <button type="button" className="item-button" onClick={() => choose(s.key)}>
                <strong>{s.name}</strong>{' '}
                <span className="muted small">
                  {s.key} · priority {s.priority}
                </span>
              </button>
            </li>
          ))}
        </ul>
        <button type="button" onClick={() => choose('')}>
          New segment
        </button>
        {notice && (
          <p role="status" className="ok">
            {notice}
          </p>
        )}
      </div>
      <div className="split-detail">
        {current ? (
          <SegmentEditor
            key={current.key || 'new'}
            segment={current}
            onSaved={(key) => {
              void segments.reload();
              // A new segment stays open as itself, so it can be edited (or deleted) straight away.
              if (selected === '') {
                setSelected(key);
                setNotice(`Created segment ${key}.`);
              }
            }}
            onDeleted={(key) => {
              choose(null);
              setNotice(`Deleted segment ${key}.`);
              void segments.reload();
            }}
          />
        ) : (
          <Empty>Choose a segment to edit its rule.</Empty>
        )}
      </div>
    </section>
  );
}
