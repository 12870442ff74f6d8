import { z } from "zod";
import {
  Artifact, ClaimRequest, CompleteRequest, Drawing, FailRequest, HeartbeatRequest, HeartbeatResponse, Job, JobEvent,
  JobOutcome, Lease, Model, ProgressEvent, SignedUrl,
} from "@cad-kiosk/schema";
import type { Operation } from "../openapi/operation.ts";

const page = <T extends z.ZodType>(key: string, item: T) => z.object({ [key]: z.array(item), nextCursor: z.string().nullable() });
const Progress = z.object({ jobId: z.string(), stage: z.string(), percent: z.number(), message: z.string().nullable(), at: z.number() });

/** Agent protocol (edge/src/jobs/agent-routes.ts). Every route: an agent token. */
const agentOperations: Operation[] = [
  { method: "post", path: "/api/agent/claim", tag: "agent", auth: "agent", body: ClaimRequest, response: Lease,
    summary: "Lease the oldest claimable job of the request's capabilities ∩ the token's; long-polls up to waitSeconds, 204 when nothing came" },
  { method: "get", path: "/api/agent/jobs/{id}/drawing", tag: "agent", auth: "agent (current lease holder)",
    summary: "The leased job's drawing bytes (ETag, Range)" },
  { method: "post", path: "/api/agent/jobs/{id}/heartbeat", tag: "agent", auth: "agent (current lease holder)", body: HeartbeatRequest, response: HeartbeatResponse,
    summary: "Extend the lease by LEASE_SECONDS; the answer says whether staff asked to cancel (409 stale_fence when the lease is gone)" },
  { method: "post", path: "/api/agent/jobs/{id}/progress", tag: "agent", auth: "agent (current lease holder)", body: ProgressEvent, response: Progress,
    summary: "Report progress: stored on the job and in its events, pushed to watchers and the target group's kiosks" },
  { method: "put", path: "/api/agent/jobs/{id}/artifacts/{kind}", tag: "agent", auth: "agent (current lease holder)",
    rawBody: "application/octet-stream", response: Artifact, status: 201,
    summary: "Stream an artifact (kind glb|report|preview; ?fence=N; Content-Length required) into R2 under its SHA-256; checked: GLB magic, JSON object, PNG signature, size caps" },
  { method: "post", path: "/api/agent/jobs/{id}/complete", tag: "agent", auth: "agent (current lease holder)", body: CompleteRequest, response: JobOutcome,
    summary: "Finish with the uploaded glb: creates the model, publishes it to the target group; a repeat with the same fence gets the same answer" },
  { method: "post", path: "/api/agent/jobs/{id}/fail", tag: "agent", auth: "agent (current lease holder)", body: FailRequest, response: JobOutcome,
    summary: "Fail: permanent → failed; retryable → queued again until max attempts, then dead; idempotent by fence" },
];

/** Read side and staff actions (read-routes.ts, model-routes.ts, signed-download.ts). */
const readOperations: Operation[] = [
  { method: "get", path: "/api/drawings", tag: "drawings", auth: "staff:viewer", response: page("drawings", Drawing),
    summary: "List drawings, newest first (?limit=1..200&cursor=)" },
  { method: "get", path: "/api/drawings/{id}", tag: "drawings", auth: "staff:viewer", response: Drawing, summary: "One drawing" },
  { method: "get", path: "/api/jobs", tag: "jobs", auth: "staff:viewer", response: page("jobs", Job),
    summary: "List jobs, newest first (?status=&limit=&cursor=)" },
  { method: "get", path: "/api/jobs/{id}", tag: "jobs", auth: "staff:viewer", response: Job, summary: "One job: status, progress, error, attempts" },
  { method: "get", path: "/api/jobs/{id}/events", tag: "jobs", auth: "staff:viewer", response: z.object({ events: z.array(JobEvent) }),
    summary: "The job's progress events, oldest first (?after=<event id> for newer ones only)" },
  { method: "get", path: "/api/jobs/{id}/socket", tag: "jobs", auth: "staff:viewer", status: 101,
    summary: "Watch a job (WebSocket): {type:'job',job} first, then {type:'progress',event} and {type:'status',job}; 'ping' → 'pong'" },
  { method: "post", path: "/api/jobs/{id}/cancel", tag: "jobs", auth: "staff:uploader", response: JobOutcome,
    summary: "Cancel: queued → cancelled; leased → cancel requested (the agent sees it on heartbeat)" },
  { method: "post", path: "/api/jobs/{id}/retry", tag: "jobs", auth: "staff:uploader", response: JobOutcome,
    summary: "Retry a failed, dead or cancelled job (attempts reset)" },
  { method: "get", path: "/api/models", tag: "models", auth: "staff:viewer or kiosk (own group's published model)", response: page("models", Model),
    summary: "List models, newest first (?limit=&cursor=)" },
  { method: "get", path: "/api/models/{id}", tag: "models", auth: "staff:viewer or kiosk (own group's published model)", response: Model, summary: "One model" },
  ...(["glb", "report", "preview"] as const).map((kind): Operation => ({
    method: "get", path: `/api/models/{id}/${kind}`, tag: "models", auth: "staff:viewer or kiosk (own group's published model)",
    summary: `Download the model's ${kind}: ETag (SHA-256), If-None-Match → 304, single Range → 206 (bad → 416), immutable caching`,
  })),
  { method: "post", path: "/api/models/{id}/signed-url", tag: "models", auth: "staff:viewer or kiosk (own group's published model)", response: SignedUrl,
    summary: "A time-limited download URL (/dl/{id}?exp=&sig=, SIGNED_URL_SECONDS) that needs no token" },
  { method: "post", path: "/api/bench/jobs", tag: "bench", auth: "staff:admin (only when the Worker runs with --var BENCH:1; 404 otherwise)",
    response: z.object({ job: Job }), status: 201, summary: "Benchmark only: create a tiny DXF drawing and its job without the upload route" },
  { method: "get", path: "/dl/{modelId}", tag: "models", auth: "signed URL (HMAC-SHA256; expired or tampered → 403)",
    summary: "Download a model's GLB through a signed URL (ETag, Range, 304)" },
];

export const jobOperations: Operation[] = [...agentOperations, ...readOperations];
