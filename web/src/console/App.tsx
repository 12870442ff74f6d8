import { useMemo, useState } from "react";
import { Drawings, Jobs } from "./Jobs.tsx";
import { Groups } from "./Groups.tsx";
import { Models } from "./Models.tsx";
import { makeSession, SessionContext, TOKEN_KEY } from "./session.ts";
import { Upload } from "./Upload.tsx";

const TABS = ["Upload", "Jobs", "Models", "Groups"] as const;
type Tab = (typeof TABS)[number];

/** The staff console: sign in with a staff token, then upload, watch jobs, preview models, run groups. */
export function App() {
  const [token, setToken] = useState(() => localStorage.getItem(TOKEN_KEY));
  const [tab, setTab] = useState<Tab>("Upload");
  const session = useMemo(
    () => (token ? makeSession(token, () => (localStorage.removeItem(TOKEN_KEY), setToken(null))) : null),
    [token],
  );
  if (!session) return <SignIn onToken={(t) => (localStorage.setItem(TOKEN_KEY, t), setToken(t))} />;
  return (
    <SessionContext.Provider value={session}>
      <header>
        <h1>CAD-to-kiosk</h1>
        <nav>
          {TABS.map((t) => (
            <button key={t} className={t === tab ? "active" : ""} onClick={() => setTab(t)} data-testid={`tab-${t.toLowerCase()}`}>
              {t}
            </button>
          ))}
        </nav>
        <button className="link" onClick={session.signOut}>Sign out</button>
      </header>
      <main>
        {tab === "Upload" && <Upload />}
        {tab === "Jobs" && (<><Jobs /><Drawings /></>)}
        {tab === "Models" && <Models />}
        {tab === "Groups" && <Groups />}
      </main>
    </SessionContext.Provider>
  );
}

function SignIn({ onToken }: { onToken: (t: string) => void }) {
  const [value, setValue] = useState("");
  const [error, setError] = useState<string | null>(null);
  const submit = async () => {
    const res = await fetch("/api/groups", { headers: { Authorization: `Bearer ${value.trim()}` } });
    if (res.ok) onToken(value.trim());
    else setError(res.status === 401 ? "That token is not valid (or was revoked)." : `The server said ${res.status}.`);
  };
  return (
    <main className="signin">
      <h1>CAD-to-kiosk staff console</h1>
      <p>Paste your staff token (shown once when an admin created it).</p>
      <input value={value} onChange={(e) => setValue(e.target.value)} placeholder="cks_…" data-testid="token-input" />
      <button onClick={submit} disabled={!value.trim()} data-testid="sign-in">Sign in</button>
      {error && <p className="error">{error}</p>}
    </main>
  );
}
