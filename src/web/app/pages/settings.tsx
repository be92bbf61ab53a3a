import { type FormEvent, useState } from 'react';
import { api } from '../api.js';
import { ConfirmDialog, ErrorBox, Loading, LoadMore, Table } from '../components.js';
import { formatDateTime } from '../format.js';
import { useAction, usePaged } from '../hooks.js';
import type { ApiKey, Role, StaffUser } from '../types.js';

const SCOPES = ['events:write', 'audience:write', 'read', 'inbound:write', 'admin'];

function ApiKeys() {
  const list = usePaged<ApiKey>('/v1/api-keys?limit=50');
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<string[]>(['events:write']);
  const [created, setCreated] = useState<string | null>(null);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);
  const { busy, error, run } = useAction();
  const create = async (event: FormEvent) => {
    event.preventDefault();
    const answer = await run(() => api.post<{ key: string }>('/v1/api-keys', { name, scopes }));
    if (answer) {
      setCreated(answer.key);
      setName('');
      void list.reload();
    }
  };
  const revoke = async () => {
    if (!revoking) return;
    await run(() => api.delete(`/v1/api-keys/${revoking.id}`));
    setRevoking(null);
    void list.reload();
  };
  return (
    <section className="card" aria-labelledby="keys-title">
      <h2 id="keys-title">API keys</h2>
      <form onSubmit={create} className="row">
        <label>
          Name
          <input value={name} required onChange={(e) => setName(e.target.value)} />
        </label>
        <fieldset>
          <legend>Scopes</legend>
          {SCOPES.map((s) => (
            <label key={s} className="check">
              <input
                type="checkbox"
                checked={scopes.includes(s)}
                onChange={(e) =>
                  setScopes((old) => (e.target.checked ? [...old, s] : old.filter((x) => x !== s)))
                }
              />
              {s}
            </label>
          ))}
        </fieldset>
        <button type="submit" className="primary" disabled={busy || scopes.length === 0}>
          Create key
        </button>
      </form>
      {created && (
        <div className="notice" role="status">
          <p>
            <strong>Copy this key now; it is not shown again:</strong>
          </p>
          <code className="secret">{created}</code>{' '}
          <button type="button" onClick={() => void navigator.clipboard?.writeText(created)}>
            Copy
          </button>{' '}
          <button type="button" onClick={() => setCreated(null)}>
            Done
          </button>
        </div>
      )}
      <ErrorBox error={error ?? list.error} />
      {list.loading && <Loading />}
      <Table columns={['Name', 'Prefix', 'Scopes', 'Last used', 'State']}>
        {list.items?.map((k) => (
          <tr key={k.id}>
            <td>{k.name}</td>
            <td>
              <code>{k.prefix}…</code>
            </td>
            <td>{k.scopes.join(', ')}</td>
            <td>{formatDateTime(k.last_used_at)}</td>
            <td>
              {k.revoked_at ? (
                `revoked ${formatDateTime(k.revoked_at)}`
              ) : (
                <button type="button" className="danger" onClick={() => setRevoking(k)}>
                  Revoke
                </button>
              )}
            </td>
          </tr>
        ))}
      </Table>
      <LoadMore list={list} />
      <ConfirmDialog
        open={revoking !== null}
        title={`Revoke “${revoking?.name ?? ''}”?`}
        confirmLabel="Revoke"
        danger
        busy={busy}
        onConfirm={() => void revoke()}
        onCancel={() => setRevoking(null)}
      >
        <p>Requests with this key fail from now on. This cannot be undone.</p>
      </ConfirmDialog>
    </section>
  );
}

function Users() {
  const list = usePaged<StaffUser>('/v1/users?limit=50');
  const [form, setForm] = useState({
    email: '',
    name: '',
    role: 'comms' as Role,
    password: '',
    title: '',
    senderEmail: '',
  });
  const { busy, error, run } = useAction();
  const set = (key: keyof typeof form) => (e: { target: { value: string } }) =>
    setForm((f) => ({ ...f, [key]: e.target.value }));
  const create = async (event: FormEvent) => {
    event.preventDefault();
    const sender =
      form.role === 'executive'
        ? { sender: { name: form.name, email: form.senderEmail || form.email, title: form.title } }
        : {};
    const done = await run(() =>
      api.post('/v1/users', {
        email: form.email,
        name: form.name,
        role: form.role,
        password: form.password,
        ...sender,
      }),
    );
    if (done) {
      setForm({ email: '', name: '', role: 'comms', password: '', title: '', senderEmail: '' });
      void list.reload();
    }
  };
  return (
    <section className="card" aria-labelledby="users-title">
      <h2 id="users-title">Users and sender identities</h2>
      <Table columns={['Name', 'E-mail', 'Role', 'Sends as']}>
        {list.items?.map((u) => (
          <tr key={u.id}>
            <td>{u.name}</td>
            <td>{u.email}</td>
            <td>{u.role}</td>
            <td>{u.sender ? `${u.sender.name} <${u.sender.email}>, ${u.sender.title}` : '—'}</td>
          </tr>
        ))}
      </Table>
      <LoadMore list={list} />
      <h3>Add a user</h3>
      <form onSubmit={create} className="grid-form">
        <label>
          Name
          <input value={form.name} required onChange={set('name')} />
        </label>
        <label>
          E-mail (login)
          <input type="email" value={form.email} required onChange={set('email')} />
        </label>
        <label>
          Role
          <select value={form.role} onChange={set('role')}>
            <option value="comms">comms</option>
            <option value="executive">executive</option>
            <option value="admin">admin</option>
          </select>
        </label>
        <label>
          Password
          <input
            type="password"
            autoComplete="new-password"
            value={form.password}
            required
            minLength={10}
            onChange={set('password')}
          />
        </label>
        {form.role === 'executive' && (
          <>
            <label>
              Sender e-mail (on an allowed sending domain)
              <input
                type="email"
                value={form.senderEmail}
                onChange={set('senderEmail')}
                placeholder={form.email}
              />
            </label>
            <label>
              Title
              <input value={form.title} required onChange={set('title')} placeholder="CEO" />
            </label>
          </>
        )}
        <button type="submit" className="primary" disabled={busy}>
          Add user
        </button>
      </form>
      <ErrorBox error={error ?? list.error} title="Could not add the user" />
    </section>
  );
}

export function SettingsPage() {
  return (
    <section aria-labelledby="settings-title">
      <h1 id="settings-title">Settings</h1>
      <ApiKeys />
      <Users />
    </section>
  );
}
