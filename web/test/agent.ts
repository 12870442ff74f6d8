/**
 * The on-site agent for the browser tests: the real one (agent/src/main.ts) with its own Redis, the
 * drawings it converts (made with ezdxf), and a minimal tus upload for API-side uploads.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { startAgent, startRedis, type AgentProcess } from "../../agent/test/support/stack.ts";
import { ROOT, type Stack } from "./stack.ts";

export const PYTHON = path.join(ROOT, "converter/.venv/bin/python");

/** Draw a test plan (web/test/fixtures/draw_plan.py); returns its path. */
export function drawPlan(variant: "a" | "b", padMb = 0): string {
  const dir = mkdtempSync(path.join(tmpdir(), "cad-kiosk-plan-"));
  const out = path.join(dir, `plan-${variant}.dxf`);
  const r = spawnSync(PYTHON, [path.join(import.meta.dirname, "fixtures/draw_plan.py"), out, variant, String(padMb)], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`draw_plan failed: ${r.stderr}`);
  return out;
}

/** A vector PDF of the converter's test plan with ``pages`` pages (each page a floor); returns its path. */
export function drawPdf(pages: number): string {
  const dir = mkdtempSync(path.join(tmpdir(), "cad-kiosk-pdf-"));
  const out = path.join(dir, `plan-${pages}-floors.pdf`);
  const script = "import sys; sys.path.insert(0, sys.argv[1]); from pdf_plans import draw_pdf; " +
    "draw_pdf(sys.argv[2], sys.argv[3], pages=int(sys.argv[4]))";
  const r = spawnSync(PYTHON, ["-c", script, path.join(ROOT, "converter/tests"), out, dir, String(pages)], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`draw_pdf failed: ${r.stderr}`);
  return out;
}

export interface RealAgent {
  process: AgentProcess;
  stop: () => Promise<void>;
}

/**
 * The real on-site agent (`node agent/src/main.ts`, as `npm run dev` starts it) with a Redis of its own,
 * leasing from this stack: jobs uploaded in the test are converted, compressed and completed by it.
 */
export async function startRealAgent(stack: Stack): Promise<RealAgent> {
  const { token } = await stack.call<{ token: string }>("POST", "/api/admin/tokens", stack.adminToken, { kind: "agent", name: "e2e agent", capabilities: ["dxf", "pdf-vector"] });
  const redis = await startRedis();
  const process = await startAgent({
    EDGE_URL: stack.direct, AGENT_TOKEN: token, REDIS_URL: redis.url, AGENT_ID: "web-e2e",
    AGENT_WORK_DIR: mkdtempSync(path.join(tmpdir(), "cad-kiosk-agent-")), AGENT_CONCURRENCY_DXF: "1",
    AGENT_CONCURRENCY_PDF_VECTOR: "1", AGENT_CONCURRENCY_PDF_RASTER: "0", LOG_LEVEL: "info",
  });
  return {
    process,
    stop: async () => {
      await process.kill("SIGTERM");
      await redis.stop();
    },
  };
}

/** Wait until the agent has finished a job (the given one, else the newest); returns it as finished. */
export async function jobDone(stack: Stack, jobId?: string, timeoutMs = 120_000): Promise<{ id: string; modelId: string; status: string }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = jobId
      ? await stack.call<any>("GET", `/api/jobs/${jobId}`, stack.adminToken)
      : (await stack.call<any>("GET", "/api/jobs?limit=1", stack.adminToken)).jobs[0];
    if (job && ["succeeded", "failed", "dead", "cancelled"].includes(job.status)) return job;
    if (Date.now() > deadline) throw new Error(`job ${jobId ?? "(newest)"} not finished: ${JSON.stringify(job)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Upload a file with a minimal tus exchange (create, one PATCH); returns the job id. */
export async function tusUpload(stack: Stack, token: string, file: string, options: Record<string, unknown> = {}): Promise<string> {
  const bytes = readFileSync(file);
  const b64 = (s: string) => Buffer.from(s).toString("base64");
  const created = await fetch(new URL("/api/uploads", stack.direct), {
    method: "POST",
    headers: { Authorization: `Bearer ${token}`, "Tus-Resumable": "1.0.0", "Upload-Length": String(bytes.length),
      "Upload-Metadata": `filename ${b64(path.basename(file))},options ${b64(JSON.stringify(options))}` },
  });
  if (created.status !== 201) throw new Error(`tus create → ${created.status} ${await created.text()}`);
  const patch = await fetch(new URL(created.headers.get("Location")!, stack.direct), {
    method: "PATCH",
    headers: { Authorization: `Bearer ${token}`, "Tus-Resumable": "1.0.0", "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream" },
    body: bytes,
  });
  if (patch.status !== 204) throw new Error(`tus patch → ${patch.status} ${await patch.text()}`);
  return patch.headers.get("X-Job-Id")!;
}
