import { useCallback, useEffect, useRef, useState } from "react";
import type { ClientMessage, GroupSnapshot, KioskPresence, PendingSwitch, ScenePatch, ServerMessage } from "@cad-kiosk/schema/kiosk";
import { openSocket } from "../shared/api.ts";
import type { ModelInfo } from "./Models.tsx";
import { useAction, useApi, useSession } from "./session.ts";

interface Group {
  id: string;
  name: string;
  publishedModelId: string | null;
}

/** Kiosk groups: their kiosks live (online/offline), publishing, pairing and revoking kiosks. */
export function Groups() {
  const groups = useApi<{ groups: Group[] }>("/api/groups");
  const { call } = useSession();
  const create = useAction();
  const [id, setId] = useState("");
  const [name, setName] = useState("");
  return (
    <section>
      <h2>Groups</h2>
      {groups.error && <p className="error">{groups.error}</p>}
      {groups.data?.groups.map((g) => <GroupCard key={g.id} group={g} />)}
      <h3>New group</h3>
      <div className="row">
        <input placeholder="id (e.g. lobby)" value={id} onChange={(e) => setId(e.target.value)} />
        <input placeholder="name" value={name} onChange={(e) => setName(e.target.value)} />
        <button disabled={!id || !name || create.busy} onClick={() => create.run(async () => {
          await call("/api/admin/groups", { body: { id, name } });
          setId("");
          setName("");
          groups.reload();
        })}>Create</button>
        {create.error && <span className="error">{create.error}</span>}
      </div>
    </section>
  );
}

let controlSeq = 0;

/**
 * The group's live view through its WebSocket (staff watch: state, presence, switches) and its scene
 * control: `setScene` sends the patch on the same socket (the group checked the role when it connected;
 * a viewer's patch comes back as an error), or over HTTP while the socket is down.
 */
function useGroupLive(groupId: string) {
  const { token, call } = useSession();
  const socket = useRef<WebSocket | null>(null);
  /** The control message awaiting its outcome (its delta, or an error with its ref). */
  const awaiting = useRef<string | null>(null);
  const [controlBusy, setControlBusy] = useState(false);
  const [controlError, setControlError] = useState<string | null>(null);
  const [state, setState] = useState<GroupSnapshot | null>(null);
  const [pending, setPending] = useState<PendingSwitch | null>(null);
  const [kiosks, setKiosks] = useState<KioskPresence[]>([]);
  const [connected, setConnected] = useState(false);
  useEffect(() => {
    let ws: WebSocket | null = null;
    let stop = false;
    let timer: ReturnType<typeof setTimeout> | null = null;
    const connect = (attempt: number) => {
      ws = openSocket(`/api/kiosk/groups/${encodeURIComponent(groupId)}/socket`, token);
      socket.current = ws;
      ws.onopen = () => {
        attempt = 0;
        setConnected(true);
      };
      ws.onmessage = (e) => {
        if (e.data === "pong") return;
        const msg = JSON.parse(e.data as string) as ServerMessage;
        if (msg.type === "state") (setState(msg.state), setPending(msg.pending));
        if (msg.type === "presence") setKiosks(msg.kiosks);
        if (msg.type === "prefetch") setPending(msg.switch);
        if (msg.type === "error" && msg.ref !== undefined && msg.ref === awaiting.current) {
          awaiting.current = null;
          setControlBusy(false);
          setControlError(msg.message);
        }
        if (msg.type === "delta") {
          if (awaiting.current && msg.changes.some((c) => c.scene)) (awaiting.current = null, setControlBusy(false));
          setPending(msg.pending);
          setState((s) => s && msg.changes.reduce<GroupSnapshot>((acc, c) => ({
            ...acc, version: c.version, tag: c.tag, scene: { ...acc.scene, ...c.scene },
            ...(c.model !== undefined ? { model: c.model, publishedModelId: c.model?.id ?? null } : {}),
          }), s));
        }
      };
      ws.onclose = () => {
        setConnected(false);
        if (awaiting.current) (awaiting.current = null, setControlBusy(false));
        if (!stop) timer = setTimeout(() => connect(attempt + 1), Math.min(30_000, 500 * 2 ** attempt) * (0.5 + Math.random()));
      };
    };
    connect(0);
    return () => {
      stop = true;
      if (timer) clearTimeout(timer);
      ws?.close();
    };
  }, [groupId, token]);
  const setScene = useCallback(async (patch: ScenePatch) => {
    setControlError(null);
    const ws = socket.current;
    if (!ws || ws.readyState !== WebSocket.OPEN) {
      // Reconnecting: the HTTP route does the same (and answers with the new state).
      setControlBusy(true);
      try {
        await call(`/api/kiosk/groups/${encodeURIComponent(groupId)}/scene`, { method: "PATCH", body: patch });
      } catch (e) {
        setControlError(e instanceof Error ? e.message : String(e));
      } finally {
        setControlBusy(false);
      }
      return;
    }
    const ref = `c${++controlSeq}`;
    awaiting.current = ref;
    setControlBusy(true);
    ws.send(JSON.stringify({ type: "scene", patch, ref } satisfies ClientMessage));
  }, [groupId, call]);
  return { state, pending, kiosks, connected, setScene, controlBusy, controlError };
}

function GroupCard({ group }: { group: Group }) {
  const { call } = useSession();
  const live = useGroupLive(group.id);
  const presence = useApi<{ kiosks: KioskPresence[] }>(`/api/kiosk/groups/${group.id}/presence`, [live.kiosks]);
  const models = useApi<{ models: ModelInfo[] }>("/api/models?limit=50");
  const [modelId, setModelId] = useState("");
  const [code, setCode] = useState("");
  const [kioskName, setKioskName] = useState("");
  const publish = useAction();
  const pair = useAction();
  const revoke = useAction();
  const [paired, setPaired] = useState<string | null>(null);
  // Live presence first (online kiosks), then kiosks paired but never seen by the group object.
  const byId = new Map<string, KioskPresence>();
  for (const k of presence.data?.kiosks ?? []) byId.set(k.kioskId, k);
  for (const k of live.kiosks) byId.set(k.kioskId, k);
  const kiosks = [...byId.values()];
  return (
    <div className="group" data-testid={`group-${group.id}`}>
      <h3>{group.name} <small><code>{group.id}</code> {live.connected ? "● live" : "○ reconnecting"}</small></h3>
      <p>
        Showing: <code data-testid="group-model">{live.state?.model?.id ?? "nothing"}</code> (version {live.state?.version ?? "…"})
        {live.pending && <> · switching to <code>{live.pending.model.id}</code>, kiosks prefetching</>}
      </p>
      <table>
        <thead><tr><th>kiosk</th><th>status</th><th>since</th><th>app</th><th>model</th><th>last error</th><th /></tr></thead>
        <tbody>
          {kiosks.map((k) => (
            <tr key={k.kioskId} data-testid="kiosk-row" data-online={k.online}>
              <td>{k.name}</td>
              <td className={k.online ? "online" : "offline"}>{k.online ? (k.ready ? "online, ready" : "online, loading") : "offline"}</td>
              <td>{new Date(k.since).toLocaleTimeString()}</td>
              <td>{k.appVersion ?? ""}</td>
              <td><code>{k.modelId ?? ""}</code></td>
              <td className="error">{k.lastError ?? ""}</td>
              <td>
                <button disabled={revoke.busy} data-testid="revoke" onClick={() => revoke.run(async () => {
                  await call(`/api/kiosk/kiosks/${k.kioskId}`, { method: "DELETE" });
                  presence.reload();
                })}>Revoke</button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {revoke.error && <p className="error">{revoke.error}</p>}
      <div className="row">
        <select value={modelId} onChange={(e) => setModelId(e.target.value)} data-testid="group-publish-model">
          <option value="">— model —</option>
          {models.data?.models.map((m) => <option key={m.id} value={m.id}>{m.id} ({new Date(m.createdAt).toLocaleString()})</option>)}
        </select>
        <button disabled={!modelId || publish.busy} data-testid="group-publish" onClick={() => publish.run(() =>
          call(`/api/kiosk/groups/${group.id}/publish`, { body: { modelId } }))}>Publish</button>
        {publish.error && <span className="error">{publish.error}</span>}
      </div>
      <SceneControls live={live} />
      <div className="row">
        <input placeholder="pairing code" value={code} onChange={(e) => setCode(e.target.value)} data-testid="pair-code" />
        <input placeholder="kiosk name" value={kioskName} onChange={(e) => setKioskName(e.target.value)} data-testid="pair-name" />
        <button disabled={!code || !kioskName || pair.busy} data-testid="pair" onClick={() => pair.run(async () => {
          const token = await call<{ name: string }>("/api/kiosk/pairings/claim", { body: { code, groupId: group.id, name: kioskName } });
          setPaired(token.name);
          setCode("");
          setKioskName("");
          presence.reload();
        })}>Pair a kiosk</button>
        {pair.error && <span className="error" data-testid="pair-error">{pair.error}</span>}
        {paired && <span className="hint">Paired “{paired}”.</span>}
      </div>
    </div>
  );
}

/** What the group's kiosks show besides the model: highlighted room, floor, orbit or fixed camera (over the group socket). */
function SceneControls({ live }: { live: ReturnType<typeof useGroupLive> }) {
  const [room, setRoom] = useState("");
  const [floor, setFloor] = useState("");
  const scene = live.state?.scene ?? null;
  const busy = live.controlBusy;
  return (
    <div className="row">
      <span data-testid="scene-state">Scene: {scene ? `${scene.mode}${scene.highlightRoom ? `, highlighting ${scene.highlightRoom}` : ""}${
        scene.floor !== null ? `, floor ${scene.floor + 1} only` : ""}` : "…"}</span>
      <input placeholder="room to highlight" value={room} onChange={(e) => setRoom(e.target.value)} data-testid="scene-room" />
      <button disabled={busy} data-testid="scene-highlight" onClick={() => live.setScene({ highlightRoom: room.trim() || null })}>Highlight</button>
      <button disabled={busy} data-testid="scene-mode" onClick={() => live.setScene({ mode: scene?.mode === "orbit" ? "fixed" : "orbit" })}>
        {scene?.mode === "orbit" ? "Stop turning" : "Turn slowly"}
      </button>
      {/* Floors as people count them (1 = the model's first floor, a PDF's first page); the scene keeps 0-based. */}
      <input type="number" min={1} max={200} placeholder="floor" value={floor} onChange={(e) => setFloor(e.target.value)}
        data-testid="scene-floor" style={{ width: "5em" }} />
      <button disabled={busy || !/^\d+$/.test(floor) || Number(floor) < 1} data-testid="scene-floor-show"
        onClick={() => live.setScene({ floor: Number(floor) - 1 })}>Show floor</button>
      <button disabled={busy || scene?.floor === null} data-testid="scene-floor-all" onClick={() => live.setScene({ floor: null })}>All floors</button>
      {live.controlError && <span className="error" data-testid="scene-error">{live.controlError}</span>}
    </div>
  );
}
