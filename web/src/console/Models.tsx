import { useEffect, useRef, useState } from "react";
import { ModelView } from "../viewer/model-view.ts";
import { useAction, useApi, useSession } from "./session.ts";

export interface ModelInfo {
  id: string;
  jobId: string;
  drawingId: string;
  glbSize: number;
  hasReport: boolean;
  createdAt: number;
  stats: Record<string, unknown> | null;
}

/** Converted models: a 3-D preview, the converter's report, and publishing to a group. */
export function Models() {
  const models = useApi<{ models: ModelInfo[] }>("/api/models?limit=50");
  const [selected, setSelected] = useState<string | null>(null);
  return (
    <section>
      <h2>Models <button className="link" onClick={models.reload}>refresh</button></h2>
      {models.error && <p className="error">{models.error}</p>}
      <table>
        <thead><tr><th>id</th><th>size</th><th>rooms</th><th>created</th><th /></tr></thead>
        <tbody>
          {models.data?.models.map((m) => (
            <tr key={m.id} className={m.id === selected ? "selected" : ""} data-testid="model-row">
              <td><code>{m.id}</code></td>
              <td>{(m.glbSize / 1e3).toFixed(0)} kB</td>
              <td>{String((m.stats as any)?.rooms ?? "")}</td>
              <td>{new Date(m.createdAt).toLocaleString()}</td>
              <td><button onClick={() => setSelected(m.id)}>Preview</button></td>
            </tr>
          ))}
        </tbody>
      </table>
      {selected && <ModelDetail key={selected} model={models.data!.models.find((m) => m.id === selected)!} />}
    </section>
  );
}

function ModelDetail({ model }: { model: ModelInfo }) {
  const { token, call } = useSession();
  const stage = useRef<HTMLDivElement>(null);
  const [error, setError] = useState<string | null>(null);
  const [rooms, setRooms] = useState<string[]>([]);
  const report = useApi<any>(model.hasReport ? `/api/models/${model.id}/report` : null);
  const groups = useApi<{ groups: { id: string; name: string; publishedModelId: string | null }[] }>("/api/groups");
  const [group, setGroup] = useState("");
  const publish = useAction();
  const [published, setPublished] = useState<string | null>(null);

  useEffect(() => {
    const view = new ModelView(stage.current!, { background: "#1b2230" });
    let live = true;
    (async () => {
      const res = await fetch(`/api/models/${model.id}/glb`, { headers: { Authorization: `Bearer ${token}` } });
      if (!res.ok) throw new Error(`download failed: ${res.status}`);
      const prepared = await view.prepare(model.id, await res.arrayBuffer());
      if (!live) return;
      view.show(prepared);
      setRooms(prepared.rooms);
    })().catch((e) => live && setError(e.message));
    return () => {
      live = false;
      view.dispose();
      stage.current?.replaceChildren();
    };
  }, [model.id, token]);

  return (
    <div className="model-detail">
      <div className="preview" ref={stage} data-testid="model-preview" />
      <div className="side">
        {error && <p className="error">{error}</p>}
        <h3>Publish</h3>
        <select value={group} onChange={(e) => setGroup(e.target.value)} data-testid="publish-group">
          <option value="">— group —</option>
          {groups.data?.groups.map((g) => <option key={g.id} value={g.id}>{g.name}</option>)}
        </select>{" "}
        <button disabled={!group || publish.busy} data-testid="publish" onClick={() => publish.run(async () => {
          await call(`/api/kiosk/groups/${group}/publish`, { body: { modelId: model.id } });
          setPublished(group);
        })}>Publish to group</button>
        {published && <p className="hint">Publishing to {published}: kiosks prefetch, then flip together.</p>}
        {publish.error && <p className="error">{publish.error}</p>}
        <h3>Report</h3>
        <Report report={report.data} rooms={rooms} />
      </div>
    </div>
  );
}

function Report({ report, rooms }: { report: any; rooms: string[] }) {
  if (!report) return <p className="hint">{rooms.length ? `Rooms: ${rooms.join(", ")}` : "No report for this model."}</p>;
  const stats = report.stats ?? {};
  const warnings: unknown[] = report.warnings ?? [];
  return (
    <div className="report" data-testid="model-report">
      <p>
        {stats.walls ?? 0} walls · {stats.doors ?? 0} doors · {stats.windows ?? 0} windows · {stats.rooms ?? 0} rooms
        {stats.roomArea ? ` (${Number(stats.roomArea).toFixed(1)} m²)` : ""}
      </p>
      {Array.isArray(report.rooms) && report.rooms.length > 0 && (
        <ul>{report.rooms.map((r: any, i: number) => <li key={i}>{r.name} — {Number(r.area).toFixed(1)} m²</li>)}</ul>
      )}
      {warnings.length > 0 && (
        <>
          <h4>Warnings</h4>
          <ul className="warnings">{warnings.map((w, i) => <li key={i}>{typeof w === "string" ? w : (w as any).message ?? JSON.stringify(w)}</li>)}</ul>
        </>
      )}
    </div>
  );
}
