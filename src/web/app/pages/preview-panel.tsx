import { useEffect, useId, useState } from 'react';
import { type ApiError, api, withQuery } from '../api.js';
import { ErrorBox, HeaderTable, Loading, Tabs } from '../components.js';
import { asApiError, useApi, useDebounced } from '../hooks.js';
import type { Customer, LintWarning, Page, Preview, Segment } from '../types.js';

export function LintList({ warnings }: { warnings: LintWarning[] | undefined }) {
  if (!warnings) return null;
  return (
    <aside className="lint" aria-label="Content warnings">
      <h3>Lint</h3>
      {warnings.length === 0 ? (
        <p className="ok">No warnings.</p>
      ) : (
        <ul>
          {warnings.map((w) => (
            <li key={`${w.rule}-${w.excerpt}`} className={`lint-${w.severity}`}>
              <strong>{w.rule}</strong>: “{w.excerpt}”<br />
              <span className="muted">{w.suggestion}</span>
            </li>
          ))}
        </ul>
      )}
    </aside>
  );
}

/** Search contacts by address, name or customer; picking one previews the e-mail as that person gets it. */
function RecipientSearch({ value, onChange }: { value: string; onChange: (email: string) => void }) {
  const [q, setQ] = useState('');
  const settled = useDebounced(q.trim(), 300);
  const found = useApi<Page<Customer>>(settled ? withQuery('/v1/customers', { q: settled, limit: 8 }) : null);
  const id = useId();
  const contacts = (found.data?.data ?? []).flatMap((c) =>
    c.contacts.map((p) => ({ email: p.email, label: `${p.name ?? p.email} · ${c.name}` })),
  );
  return (
    <div className="recipient-search">
      <label htmlFor={id} className="recipient-label">
        Recipient
      </label>
      <input
        id={id}
        type="search"
        placeholder="Search by e-mail, name or customer"
        value={q}
        onChange={(e) => setQ(e.target.value)}
      />
      {value && (
        <p className="small">
          Previewing as <strong>{value}</strong>{' '}
          <button type="button" className="link" onClick={() => onChange('')}>
            use a representative recipient
          </button>
        </p>
      )}
      {settled && contacts.length > 0 && (
        <ul className="suggestions" aria-label="Matching recipients">
          {contacts.slice(0, 10).map((c) => (
            <li key={c.email}>
              <button
                type="button"
                className="link"
                onClick={() => {
                  onChange(c.email);
                  setQ('');
                }}
              >
                {c.email} <span className="muted">{c.label}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      {settled && found.data && contacts.length === 0 && (
        <p className="small muted">No matching recipient.</p>
      )}
    </div>
  );
}

const HEADER_LABELS: [string, string][] = [
  ['from', 'From'],
  ['reply_to', 'Reply-To'],
  ['to', 'To'],
  ['subject', 'Subject'],
  ['message_id', 'Message-ID'],
  ['in_reply_to', 'In-Reply-To'],
  ['references', 'References'],
  ['list_unsubscribe', 'List-Unsubscribe'],
];

/**
 * The e-mail exactly as one recipient gets it: any segment's variant, any recipient, desktop or mobile
 * width, HTML, plain text or headers. With `draft`, unsaved edits are rendered instead of the saved text.
 */
export function PreviewPanel({
  communicationId,
  defaultSegment,
  draft,
  version,
  showLint = true,
}: {
  communicationId: string;
  defaultSegment: string;
  draft?: { subject: string; body: string } | undefined;
  /** Reloads the saved preview when the current version changes. */
  version?: number | undefined;
  showLint?: boolean;
}) {
  const segments = useApi<Page<Segment>>('/v1/segments');
  const [segment, setSegment] = useState(defaultSegment);
  const [contact, setContact] = useState('');
  const [width, setWidth] = useState<'desktop' | 'mobile'>('desktop');
  const [view, setView] = useState<'html' | 'text' | 'headers'>('html');
  const [preview, setPreview] = useState<Preview>();
  const [error, setError] = useState<ApiError | null>(null);
  const lint = useApi<{ warnings: LintWarning[] }>(
    draft || !showLint ? null : `/v1/communications/${communicationId}/lint?v=${version ?? 0}`,
  );
  const subject = draft?.subject;
  const body = draft?.body;

  useEffect(() => {
    let stale = false;
    const load =
      subject !== undefined
        ? api.post<Preview>(`/v1/communications/${communicationId}/preview`, {
            ...(subject.trim() ? { subject } : {}),
            ...(body?.trim() ? { body } : {}),
            segment,
            ...(contact ? { contact } : {}),
          })
        : api.get<Preview>(`/v1/communications/${communicationId}/preview`, {
            format: 'json',
            segment,
            contact,
            v: version,
          });
    load.then(
      (p) => {
        if (stale) return;
        setPreview(p);
        setError(null);
      },
      (e) => {
        if (!stale) setError(asApiError(e));
      },
    );
    return () => {
      stale = true;
    };
  }, [communicationId, segment, contact, subject, body, version]);

  const warnings = draft ? preview?.warnings : lint.data?.warnings;
  return (
    <div className="preview-panel">
      <div className="preview-controls">
        <label>
          Segment
          <select value={segment} onChange={(e) => setSegment(e.target.value)}>
            {(segments.data?.data ?? [{ key: defaultSegment, name: defaultSegment } as Segment]).map((s) => (
              <option key={s.key} value={s.key}>
                {s.name} ({s.key})
              </option>
            ))}
          </select>
        </label>
        <RecipientSearch value={contact} onChange={setContact} />
        <fieldset className="segmented">
          <legend>Width</legend>
          {(['desktop', 'mobile'] as const).map((w) => (
            <label key={w}>
              <input
                type="radio"
                name={`width-${communicationId}`}
                value={w}
                checked={width === w}
                onChange={() => setWidth(w)}
              />
              {w === 'desktop' ? 'Desktop' : 'Mobile'}
            </label>
          ))}
        </fieldset>
      </div>
      <ErrorBox error={error} title="Preview failed" />
      {preview && (
        <p className="small muted preview-meta" data-testid="preview-meta">
          Variant <strong data-testid="preview-variant">{preview.variant}</strong> · to{' '}
          {preview.contact.name ?? preview.contact.email} ({preview.contact.customer})
          {preview.locale ? ` · ${preview.locale}` : ''}
          {preview.sample_recipient ? ' · sample recipient' : ''}
          {preview.contact_replied ? ' · this contact already replied about this incident' : ''}
        </p>
      )}
      <div className="preview-body">
        <div className="preview-main">
          <Tabs
            label="Preview format"
            value={view}
            onChange={setView}
            tabs={[
              { value: 'html', label: 'HTML' },
              { value: 'text', label: 'Plain text' },
              { value: 'headers', label: 'Headers' },
            ]}
          />
          {!preview && !error && <Loading label="Rendering…" />}
          {preview && view === 'html' && (
            <iframe
              title="E-mail preview"
              className={`preview-frame ${width}`}
              sandbox=""
              srcDoc={preview.html}
            />
          )}
          {preview && view === 'text' && <pre className="preview-text">{preview.text}</pre>}
          {preview && view === 'headers' && (
            <HeaderTable
              headers={HEADER_LABELS.map(([key, label]) => ({
                name: label,
                value: preview.headers[key] ?? '—',
              }))}
            />
          )}
        </div>
        {showLint && <LintList warnings={warnings} />}
      </div>
    </div>
  );
}
