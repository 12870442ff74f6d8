/**
 * A stand-in for the on-site agent (agent/ is tested on its own): claims a job through the real agent
 * API, converts the drawing with the real converter, uploads the GLB and report, completes the job.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
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

export async function agentToken(stack: Stack): Promise<string> {
  const created = await stack.call<{ token: string }>("POST", "/api/admin/tokens", stack.adminToken, { kind: "agent", name: "e2e agent", capabilities: ["dxf"] });
  return created.token;
}

/** Claim the next job, convert it, complete it; returns the job as completed (with its modelId). */
export async function convertNextJob(stack: Stack, token: string): Promise<{ id: string; modelId: string; status: string }> {
  const lease = await stack.call<any>("POST", "/api/agent/claim", token, { capabilities: ["dxf"], waitSeconds: 20 });
  if (!lease) throw new Error("no job to claim");
  const { job, fence } = lease;
  const dir = mkdtempSync(path.join(tmpdir(), "cad-kiosk-job-"));
  const drawing = await fetch(new URL(`/api/agent/jobs/${job.id}/drawing`, stack.direct), { headers: { Authorization: `Bearer ${token}` } });
  if (!drawing.ok) throw new Error(`drawing download failed: ${drawing.status}`);
  writeFileSync(path.join(dir, "in.dxf"), Buffer.from(await drawing.arrayBuffer()));
  await stack.call("POST", `/api/agent/jobs/${job.id}/progress`, token, { fence, stage: "read", percent: 10, message: "converting" });
  const r = spawnSync(PYTHON, ["-m", "converter", path.join(dir, "in.dxf"), "-o", path.join(dir, "out.glb"), "--report", path.join(dir, "report.json")],
    { cwd: path.join(ROOT, "converter"), encoding: "utf8" });
  if (r.status !== 0) throw new Error(`converter failed: ${r.stdout}\n${r.stderr}`);
  await stack.call("POST", `/api/agent/jobs/${job.id}/progress`, token, { fence, stage: "write", percent: 95 });
  for (const [kind, file] of [["glb", "out.glb"], ["report", "report.json"]] as const) {
    const bytes = readFileSync(path.join(dir, file));
    const res = await fetch(new URL(`/api/agent/jobs/${job.id}/artifacts/${kind}?fence=${fence}`, stack.direct), {
      method: "PUT", headers: { Authorization: `Bearer ${token}`, "Content-Length": String(bytes.length) }, body: bytes,
    });
    if (!res.ok) throw new Error(`artifact ${kind} → ${res.status} ${await res.text()}`);
  }
  const stats = JSON.parse(readFileSync(path.join(dir, "report.json"), "utf8")).stats;
  const done = await stack.call<any>("POST", `/api/agent/jobs/${job.id}/complete`, token, { fence, stats });
  return done.job;
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
