import { type ChangeEvent, useId, useState } from 'react';
import { api, withQuery } from '../api.js';
import { ErrorBox, FilterSelect, ListStatus, LoadMore, Table } from '../components.js';
import { useAction, useApi, useDebounced, usePaged } from '../hooks.js';
import type { Customer, Page, Segment } from '../types.js';

interface ImportResult {
  created: number;
  updated: number;
  rejected: { row: number; error: string }[];
}

const CSV_HEADER = 'ref,name,tier,regions,components,locale,contact_email,contact_name,contact_role';

function CsvImport({ onImported }: { onImported: () => void }) {
  const [text, setText] = useState('');
  const [result, setResult] = useState<ImportResult | null>(null);
  const { busy, error, run } = useAction();
  const fileId = useId();
  const textId = useId();
  const readFile = async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    if (file) setText(await file.text());
  };
  const submit = async () => {
    setResult(null);
    const answer = await run(() => api.csv<ImportResult>('/v1/customers/import', text));
    if (answer) {
      setResult(answer);
      onImported();
    }
  };
  return (
    <section className="card" aria-labelledby="import-title">
      <h2 id="import-title">Import customers (CSV)</h2>
      <p className="small muted">
        One row per contact, header <code>{CSV_HEADER}</code>; <code>|</code> separates list values.
      </p>
      <label htmlFor={fileId}>CSV file</label>
      <input id={fileId} type="file" accept=".csv,text/csv" onChange={(e) => void readFile(e)} />
      <label htmlFor={textId}>or paste the CSV</label>
      <textarea
        id={textId}
        rows={5}
        value={text}
        placeholder={CSV_HEADER}
        onChange={(e) => setText(e.target.value)}
      />
      <button type="button" className="primary" disabled={busy || !text.trim()} onClick={() => void submit()}>
        {busy ? 'Importing…' : 'Import'}
      </button>
      <ErrorBox error={error} title="Import failed" />
      {result && (
        <div role="status">
          <p>
            {result.created} created, {result.updated} updated, {result.rejected.length} rejected.
          </p>
          {result.rejected.length > 0 && (
            <Table columns={['Row', 'Error']}>
              {result.rejected.map((r) => (
                <tr key={r.row}>
                  <td>{r.row}</td>
                  <td>{r.error}</td>
                </tr>
              ))}
            </Table>
          )}
        </div>
      )}
    </section>
  );
}

export function CustomersPage() {
  const [q, setQ] = useState('');
  const [segment, setSegment] = useState('');
  const [incident, setIncident] = useState('');
  const query = useDebounced(q.trim(), 300);
  const segments = useApi<Page<Segment>>('/v1/segments');
  const list = usePaged<Customer>(
    withQuery('/v1/customers', { q: query, segment, incident_id: incident.trim(), limit: 50 }),
  );
  return (
    <section aria-labelledby="customers-title">
      <div className="page-head">
        <h1 id="customers-title">Customers</h1>
      </div>
      <form className="filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          Search
          <input
            type="search"
            value={q}
            placeholder="ref, name or contact e-mail"
            onChange={(e) => setQ(e.target.value)}
          />
        </label>
        <FilterSelect
          label="Segment"
          value={segment}
          onChange={setSegment}
          options={(segments.data?.data ?? []).map((s) => ({ value: s.key, label: s.name }))}
        />
        <label>
          For incident
          <input
            value={incident}
            placeholder="inc_… (needed by affected rules)"
            onChange={(e) => setIncident(e.target.value)}
          />
        </label>
      </form>
      <ErrorBox error={list.error} />
      <ListStatus list={list}>No customers match.</ListStatus>
      {list.items && list.items.length > 0 && (
        <Table columns={['Customer', 'Tier', 'Regions', 'Components', 'Contacts']}>
          {list.items.map((c) => (
            <tr key={c.id}>
              <td>
                {c.name} <span className="muted small">{c.ref}</span>
              </td>
              <td>{c.tier}</td>
              <td>{c.regions.join(', ')}</td>
              <td>{c.components.join(', ')}</td>
              <td>
                {c.contacts.map((p) => (
                  <div key={p.email} className="small">
                    {p.email}
                    {p.unsubscribed_at ? ' (unsubscribed)' : ''}
                  </div>
                ))}
              </td>
            </tr>
          ))}
        </Table>
      )}
      <LoadMore list={list} />
      <CsvImport onImported={() => void list.reload()} />
    </section>
  );
}
