import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError, api } from './api.js';
import type { Page } from './types.js';

export interface Loaded<T> {
  data: T | undefined;
  error: ApiError | null;
  loading: boolean;
  reload: () => Promise<void>;
}

/**
 * Loads `path` (null: nothing to load yet) and, with `pollMs`, keeps it fresh: live progress is polled,
 * and a poll never stacks on one still running. Errors keep the last good data on screen.
 */
export function useApi<T>(path: string | null, options: { pollMs?: number } = {}): Loaded<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState(path !== null);
  const current = useRef(path);
  current.current = path;

  const load = useCallback(async () => {
    if (path === null) return;
    try {
      const value = await api.get<T>(path);
      if (current.current === path) {
        setData(value);
        setError(null);
      }
    } catch (e) {
      if (current.current === path) setError(asApiError(e));
    } finally {
      if (current.current === path) setLoading(false);
    }
  }, [path]);

  useEffect(() => {
    setLoading(path !== null);
    setData(undefined);
    void load();
  }, [load, path]);

  useEffect(() => {
    if (!options.pollMs || path === null) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout>;
    const tick = async () => {
      await load();
      if (!stopped) timer = setTimeout(tick, options.pollMs);
    };
    timer = setTimeout(tick, options.pollMs);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [load, options.pollMs, path]);

  return { data, error, loading, reload: load };
}

export function asApiError(e: unknown): ApiError {
  return e instanceof ApiError ? e : new ApiError(0, 'client', e instanceof Error ? e.message : String(e));
}

export interface Paged<T> {
  /** The first page and every page loaded after it; undefined until the first page is in. */
  items: T[] | undefined;
  error: ApiError | null;
  loading: boolean;
  reload: () => Promise<void>;
  hasMore: boolean;
  loadMore: () => Promise<void>;
  loadingMore: boolean;
}

/** A `{data, next_cursor}` list with "load more". `path` must carry its filters; the cursor is added here. */
export function usePaged<T>(path: string | null, options: { pollMs?: number } = {}): Paged<T> {
  const first = useApi<Page<T>>(path, options);
  const [more, setMore] = useState<T[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [moreError, setMoreError] = useState<ApiError | null>(null);

  // Polling refreshes the first page; pages loaded after it stay until the filters change.
  const [pathOfMore, setPathOfMore] = useState(path);
  if (pathOfMore !== path) {
    setPathOfMore(path);
    setMore([]);
    setCursor(null);
  }

  const nextCursor = more.length > 0 ? cursor : (first.data?.next_cursor ?? null);
  const loadMore = async () => {
    if (!path || !nextCursor) return;
    setLoadingMore(true);
    try {
      const sep = path.includes('?') ? '&' : '?';
      const page = await api.get<Page<T>>(`${path}${sep}cursor=${encodeURIComponent(nextCursor)}`);
      setMore((m) => [...m, ...page.data]);
      setCursor(page.next_cursor);
      setMoreError(null);
    } catch (e) {
      setMoreError(asApiError(e));
    } finally {
      setLoadingMore(false);
    }
  };
  const items = first.data ? [...first.data.data, ...more] : undefined;
  return {
    items,
    error: first.error ?? moreError,
    loading: first.loading,
    reload: first.reload,
    hasMore: nextCursor !== null,
    loadMore,
    loadingMore,
  };
}

/** `value`, once it has stopped changing for `ms`. */
export function useDebounced<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

/** The current time, ticking every second: countdowns and ages. */
export function useNow(intervalMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}

/** Runs a state-changing call with a busy flag and an error to show. */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const run = async <T>(action: () => Promise<T>): Promise<T | undefined> => {
    setBusy(true);
    setError(null);
    try {
      return await action();
    } catch (e) {
      setError(asApiError(e));
      return undefined;
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, run, setError };
}
