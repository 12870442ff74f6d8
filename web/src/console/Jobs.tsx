import { useEffect, useState } from "react";
import type { Job } from "@cad-kiosk/schema";
import { openSocket } from "../shared/api.ts";
import { useAction, useApi, useSession } from "./session.ts";

const ACTIVE = new Set(["queued", "leased"]);

/** One job, live: the watch socket pushes progress and status changes (no polling). */
export function useJobWatch(jobId: string, initial: Job | null = null) {
  const { token } = useSession();
  const [job, setJob] = useState<Job | null>(initial);
  useEffect(() => {
    let ws: WebSocket | null = null;
    let closed = false;
    let retry: ReturnType<typeof setTimeout> | null = null;
    const connect = (attempt: number) => {
      ws = openSocket(`/api/jobs/${encodeURIComponent(jobId)}/socket`, token);
      ws.onmessage = (e) => {
        const msg = JSON.parse(e.data as string);
        if (msg.type === "job" || msg.type === "status") setJob(msg.job);
        if (msg.type === "progress") {
          setJob((j) => j && { ...j, progress: { stage: msg.event.stage, percent: msg.event.percent, message: msg.event.message } });
        }
      };
      ws.onclose = () => {
        if (!closed) retry = setTimeout(() => connect(attempt + 1), Math.min(30_000, 500 * 2 ** attempt) * (0.5 + Math.random()));
      };
    };
    connect(0);
    return () => {
      closed = true;
      if (retry) clearTimeout(retry);
      ws?.close();
    };
  }, [jobId, token]);
  return job;
}

export function JobProgress({ jobId }: { jobId: string }) {
  const job = useJobWatch(jobId);
  if (!job) return <p className="hint">Job {jobId}: connecting…</p>;
  return (
    <div className="job-progress" data-testid="job-progress" data-status={job.status}>
      Job <code>{job.id}</code>: <b>{job.status}</b>
      {job.progress.stage && ` · ${job.progress.stage} ${job.progress.percent ?? 0} %`}
      {job.error && <span className="error"> · {job.error.code}: {job.error.message}</span>}
      {job.modelId && <span> · model <code>{job.modelId}</code></span>}
    </div>
  );
}

function JobRow({ initial, onChanged }: { initial: Job; onChanged: () => void }) {
  const { call } = useSession();
  const job = initial;
  const action = useAction();
  const act = (verb: "retry" | "cancel") => action.run(async () => {
    await call(`/api/jobs/${job.id}/${verb}`, { method: "POST" });
    onChanged();
  });
  return (
    <tr data-testid="job-row" data-status={job.status}>
      <td><code>{job.id}</code></td>
      <td>{job.status}</td>
      <td>
        {job.progress.stage ? `${job.progress.stage} ${job.progress.percent ?? 0} %` : ""}
        {ACTIVE.has(job.status) && <progress max={100} value={job.progress.percent ?? 0} />}
      </td>
      <td>{job.options.targetGroup ?? ""}</td>
      <td>{job.error ? `${job.error.code}: ${job.error.message}` : job.modelId ? <code>{job.modelId}</code> : ""}</td>
      <td>{job.attempts}/{job.maxAttempts}</td>
      <td>{new Date(job.createdAt).toLocaleString()}</td>
      <td>
        {ACTIVE.has(job.status) && <button onClick={() => act("cancel")} disabled={action.busy}>Cancel</button>}
        {["failed", "dead", "cancelled"].includes(job.status) && <button onClick={() => act("retry")} disabled={action.busy}>Retry</button>}
        {action.error && <span className="error">{action.error}</span>}
      </td>
    </tr>
  );
}

export function Jobs() {
  const jobs = useApi<{ jobs: Job[] }>("/api/jobs?limit=50", [], 10_000);
  return (
    <section>
      <h2>Jobs <button className="link" onClick={jobs.reload}>refresh</button></h2>
      {jobs.error && <p className="error">{jobs.error}</p>}
      <table>
        <thead><tr><th>id</th><th>status</th><th>progress</th><th>group</th><th>result</th><th>attempts</th><th>created</th><th /></tr></thead>
        <tbody>{jobs.data?.jobs.map((j) => <LiveJobRow key={j.id} job={j} onChanged={jobs.reload} />)}</tbody>
      </table>
    </section>
  );
}

/** A row that subscribes to its job's socket while it is active. */
function LiveJobRow({ job, onChanged }: { job: Job; onChanged: () => void }) {
  return ACTIVE.has(job.status) ? <WatchedRow job={job} onChanged={onChanged} /> : <JobRow initial={job} onChanged={onChanged} />;
}
function WatchedRow({ job, onChanged }: { job: Job; onChanged: () => void }) {
  const live = useJobWatch(job.id, job);
  return <JobRow initial={live ?? job} onChanged={onChanged} />;
}

export function Drawings() {
  const drawings = useApi<{ drawings: { id: string; filename: string; size: number; fileKind: string; createdAt: number }[] }>("/api/drawings?limit=50");
  return (
    <section>
      <h2>Drawings</h2>
      {drawings.error && <p className="error">{drawings.error}</p>}
      <table>
        <thead><tr><th>file</th><th>kind</th><th>size</th><th>uploaded</th></tr></thead>
        <tbody>
          {drawings.data?.drawings.map((d) => (
            <tr key={d.id}><td>{d.filename}</td><td>{d.fileKind}</td><td>{(d.size / 1e6).toFixed(2)} MB</td><td>{new Date(d.createdAt).toLocaleString()}</td></tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
