import Uppy from "@uppy/core";
import Tus from "@uppy/tus";
import { useEffect, useRef, useState } from "react";
import { JobProgress } from "./Jobs.tsx";
import { useApi, useSession } from "./session.ts";

/** Chunk size when the server does not suggest one: the edge's R2 part size. */
const DEFAULT_CHUNK_BYTES = 10 * 1024 * 1024;
/**
 * tus retries a dropped connection with these delays (ms) before giving up: about four minutes, longer
 * than the edge's upload lock (a PATCH cut mid-stream may hold it until it expires, answering 423,
 * which tus retries).
 */
const RETRY_DELAYS_MS = [0, 1000, 2000, 4000, 8000, 15000, 30000, 30000, 30000, 30000, 30000, 30000, 30000];

interface UploadState {
  name: string;
  percent: number;
  bytes: number;
  total: number;
  phase: "uploading" | "retrying" | "done" | "failed";
  message?: string;
  jobId?: string;
}

/**
 * Upload a drawing with Uppy's tus plugin: resumable, chunked, retried after a dropped connection
 * (tus asks the server for the offset and goes on from there). The bar follows the bytes the server
 * accepted; after the upload the job's conversion progress is pushed live.
 */
export function Upload() {
  const { token } = useSession();
  const groups = useApi<{ groups: { id: string; name: string }[] }>("/api/groups");
  const [targetGroup, setTargetGroup] = useState("");
  const [wallHeight, setWallHeight] = useState("");
  const [state, setState] = useState<UploadState | null>(null);
  const uppyRef = useRef<Uppy | null>(null);

  useEffect(() => {
    const uppy = new Uppy({ autoProceed: false, restrictions: { maxNumberOfFiles: 1, maxFileSize: 500 * 1024 * 1024 } });
    uppy.use(Tus, {
      endpoint: "/api/uploads",
      headers: { Authorization: `Bearer ${token}` },
      chunkSize: DEFAULT_CHUNK_BYTES,
      retryDelays: RETRY_DELAYS_MS,
      removeFingerprintOnSuccess: true,
      allowedMetaFields: ["filename", "options"],
      onShouldRetry: (err, attempt, _opts, next) => {
        setState((s) => s && { ...s, phase: "retrying", message: `connection lost — retrying (${attempt + 1})` });
        return next(err);
      },
    });
    // The server's preferred chunk size (a multiple of its R2 part size).
    fetch("/api/uploads", { method: "OPTIONS" }).then((res) => {
      const chunk = Number(res.headers.get("X-Upload-Chunk-Size"));
      if (chunk > 0) uppy.getPlugin("Tus")?.setOptions({ chunkSize: chunk });
    }, () => {});
    uppy.on("upload-progress", (file, progress) => {
      if (!file || !progress.bytesTotal) return;
      const bytes = progress.bytesUploaded;
      const total = progress.bytesTotal;
      setState((s) => ({ ...(s ?? { name: file.name ?? "", phase: "uploading" }), name: file.name ?? "", bytes, total,
        percent: Math.floor((100 * bytes) / total), phase: "uploading", message: undefined }));
    });
    uppy.on("upload-success", async (file, response) => {
      let jobId: string | undefined;
      if (response?.uploadURL) {
        const head = await fetch(response.uploadURL, { method: "HEAD", headers: { Authorization: `Bearer ${token}`, "Tus-Resumable": "1.0.0" } });
        jobId = head.headers.get("X-Job-Id") ?? undefined;
      }
      setState((s) => ({ name: file?.name ?? "", bytes: s?.total ?? 0, total: s?.total ?? 0, percent: 100, phase: "done", jobId }));
    });
    uppy.on("upload-error", (_file, error) => {
      setState((s) => s && { ...s, phase: "failed", message: error?.message ?? "upload failed" });
    });
    uppyRef.current = uppy;
    return () => {
      uppy.destroy();
      uppyRef.current = null;
    };
  }, [token]);

  const start = async (file: File) => {
    const uppy = uppyRef.current!;
    uppy.clear();
    const options: Record<string, unknown> = {};
    if (targetGroup) options.targetGroup = targetGroup;
    if (wallHeight) options.wallHeight = Number(wallHeight);
    uppy.addFile({ name: file.name, type: file.type || "application/octet-stream", data: file,
      meta: { filename: file.name, options: JSON.stringify(options) } });
    setState({ name: file.name, bytes: 0, total: file.size, percent: 0, phase: "uploading" });
    await uppy.upload();
  };

  return (
    <section>
      <h2>Upload a drawing</h2>
      <p className="hint">DXF, PDF, PNG or JPEG up to 500 MB. Uploads resume after a dropped connection.</p>
      <div className="row">
        <label>
          Publish to group when converted{" "}
          <select value={targetGroup} onChange={(e) => setTargetGroup(e.target.value)} data-testid="upload-group">
            <option value="">— none —</option>
            {groups.data?.groups.map((g) => <option key={g.id} value={g.id}>{g.name}</option>)}
          </select>
        </label>
        <label>
          Wall height (m){" "}
          <input type="number" min="0.5" max="50" step="0.1" value={wallHeight} onChange={(e) => setWallHeight(e.target.value)} />
        </label>
      </div>
      <input type="file" accept=".dxf,.pdf,.png,.jpg,.jpeg" data-testid="upload-file"
        onChange={(e) => e.target.files?.[0] && void start(e.target.files[0])} />
      {state && (
        <div className="upload" data-testid="upload-status" data-phase={state.phase}>
          <div className="bar" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={state.percent} data-testid="upload-bar">
            <div className="fill" style={{ width: `${state.percent}%` }} />
          </div>
          <span data-testid="upload-percent">{state.percent} %</span>{" "}
          <span>{state.name} · {(state.bytes / 1e6).toFixed(1)} / {(state.total / 1e6).toFixed(1)} MB</span>
          {state.message && <p className={state.phase === "failed" ? "error" : "hint"} data-testid="upload-message">{state.message}</p>}
          {state.jobId && <JobProgress jobId={state.jobId} />}
        </div>
      )}
    </section>
  );
}
