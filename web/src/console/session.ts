import { createContext, useCallback, useContext, useEffect, useRef, useState } from "react";
import { api, type ApiOptions } from "../shared/api.ts";

/** The staff token (kept in this browser) and an API caller bound to it. */
export const TOKEN_KEY = "cad-kiosk.staff-token";
export interface Session {
  token: string;
  call: <T = any>(path: string, options?: ApiOptions) => Promise<T>;
  signOut: () => void;
}
export const SessionContext = createContext<Session | null>(null);
export const useSession = () => useContext(SessionContext)!;

/** Fetch `path` now and whenever `reloadKey` changes or `everyMs` passes; errors shown, not thrown. */
export function useApi<T>(path: string | null, deps: unknown[] = [], everyMs = 0) {
  const { call } = useSession();
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  useEffect(() => {
    if (!path) return;
    let live = true;
    call<T>(path).then((d) => live && (setData(d), setError(null)), (e) => live && setError(e.message));
    return () => {
      live = false;
    };
  }, [path, tick, ...deps]); // eslint-disable-line react-hooks/exhaustive-deps
  useEffect(() => {
    if (!everyMs) return;
    const t = setInterval(reload, everyMs);
    return () => clearInterval(t);
  }, [everyMs, reload]);
  return { data, error, reload };
}

/** Run an action, keeping its error message for display. */
export function useAction() {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const mounted = useRef(true);
  useEffect(() => {
    mounted.current = true;
    return () => void (mounted.current = false);
  }, []);
  const run = useCallback(async (fn: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await fn();
    } catch (e) {
      if (mounted.current) setError(e instanceof Error ? e.message : String(e));
    } finally {
      if (mounted.current) setBusy(false);
    }
  }, []);
  return { run, error, busy };
}

export function makeSession(token: string, signOut: () => void): Session {
  return { token, signOut, call: (path, options) => api(token, path, options) };
}
