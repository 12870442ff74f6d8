/**
 * The whole chain on one machine, every piece real: upload (tus) → the edge queues a job → the agent
 * leases it, converts it with the warm converter pool, compresses the GLB, uploads it and completes →
 * the model is downloadable and valid glTF. Plus the agent's operations surface and a clean shutdown.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  childrenOf, finished, planDxf, python, root, startAgent, startEdge, startRedis, running, upload, waitForJob,
  type AgentProcess, type Edge, type RedisServer,
} from "./support/stack.ts";

const validator = createRequire(path.join(root, "package.json"))("gltf-validator");

let edge: Edge;
let redis: RedisServer;
let agent: AgentProcess;

beforeAll(async () => {
  [edge, redis] = await Promise.all([startEdge(), startRedis()]);
  agent = await startAgent({
    EDGE_URL: edge.url, AGENT_TOKEN: await edge.agentToken(), REDIS_URL: redis.url,
    AGENT_ID: "pipeline", AGENT_WORK_DIR: path.join(edge.persist, "work"), AGENT_CONCURRENCY_DXF: "2",
    AGENT_CONCURRENCY_PDF_VECTOR: "1", AGENT_CONCURRENCY_PDF_RASTER: "1", CONVERTER_RECYCLE_JOBS: "2",
  });
});

afterAll(async () => {
  await agent?.kill("SIGKILL");
  await Promise.all([edge?.stop(), redis?.stop()]);
});

describe("upload → lease → convert → complete", () => {
  it("turns uploaded drawings into valid, compressed models", async () => {
    const ids = await Promise.all([1, 2, 3].map((seed) => upload(edge, planDxf(seed), `plan-${seed}.dxf`, { wallHeight: 3 })));
    for (const id of ids) {
      const job = await waitForJob(edge, id, finished, 90_000);
      expect(job.status, JSON.stringify(job.error)).toBe("succeeded");
      expect(job.modelId).toBeTruthy();

      const model = (await edge.api(`/api/models/${job.modelId}`, edge.admin)).body;
      const glb = await fetch(`${edge.url}/api/models/${job.modelId}/glb`, { headers: { Authorization: `Bearer ${edge.admin}` } });
      expect(glb.status).toBe(200);
      const bytes = new Uint8Array(await glb.arrayBuffer());
      expect(bytes.length).toBe(model.glbSize);
      const report = await validator.validateBytes(bytes, { maxIssues: 50 });
      expect(report.issues.numErrors, JSON.stringify(report.issues.messages)).toBe(0);
      expect(report.info.extensionsUsed ?? []).toContain("EXT_meshopt_compression");

      // The report says what the converter found and what compression did; rooms keep their names.
      const rep = (await edge.api(`/api/models/${job.modelId}/report`, edge.admin)).body;
      expect(rep.stats.rooms).toBe(3);
      expect(rep.publish.converterBytes).toBeGreaterThan(rep.publish.publishedBytes);
      expect(rep.publish.publishedBytes).toBe(bytes.length);
      expect(model.stats.rooms).toBe(3);

      // Progress was relayed (throttled to one event per 100 ms here), never going back.
      const events = (await edge.api(`/api/jobs/${id}/events`, edge.admin)).body.events as { stage: string; percent: number }[];
      expect(events.length).toBeGreaterThanOrEqual(1);
      const percents = events.map((e) => e.percent);
      expect(percents).toEqual([...percents].sort((a, b) => a - b));
    }
  });

  it("converts a vector PDF and a scanned PNG through the same chain", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "agent-pdf-"));
    execFileSync(python, [path.join(import.meta.dirname, "support/pdf_plan.py"), dir]);
    const pdf = await upload(edge, readFileSync(path.join(dir, "plan.pdf")), "plan.pdf");
    const png = await upload(edge, readFileSync(path.join(dir, "plan-scan.png")), "plan-scan.png");
    for (const [id, capability, format] of [[pdf, "pdf-vector", "pdf"], [png, "pdf-raster", "png"]] as const) {
      const job = await waitForJob(edge, id, finished, 90_000);
      expect(job.status, JSON.stringify(job.error)).toBe("succeeded");
      expect(job.capability).toBe(capability);
      const rep = (await edge.api(`/api/models/${job.modelId}/report`, edge.admin)).body;
      expect(rep.stats.format).toBe(format);
      expect(rep.stats.walls).toBeGreaterThan(0);
      expect(rep.publish.publishedBytes).toBeLessThan(rep.publish.converterBytes);
    }
  });

  it("fails a bad drawing at once with the converter's code, without retrying", async () => {
    const junk = new TextEncoder().encode("  0\nSECTION\n  2\nENTITIES\n  0\nLINE\n  8\n0\n 10\nnot-a-number\n");
    const id = await upload(edge, junk, "broken.dxf");
    const job = await waitForJob(edge, id, finished, 60_000);
    expect(job.status).toBe("failed");
    expect(job.attempts).toBe(1);
    expect(job.error.code).toMatch(/^(unreadable|truncated|not_dxf|nothing_to_build)$/);
    expect(job.error.message.length).toBeGreaterThan(5);
  });

  it("serves /healthz and Prometheus /metrics", async () => {
    const health = await (await fetch(`http://127.0.0.1:${agent.httpPort}/healthz`)).json();
    expect(health).toMatchObject({ ok: true, status: "running", redis: true, converters: 4 });
    const text = await (await fetch(`http://127.0.0.1:${agent.httpPort}/metrics`)).text();
    expect(text).toMatch(/cad_agent_jobs_completed_total\{capability="dxf"\} 3/);
    expect(text).toMatch(/cad_agent_jobs_failed_total\{capability="dxf",code="[a-z_]+",permanent="true"\} 1/);
    expect(text).toMatch(/cad_agent_converter_pool_size 4/);
    expect(text).toMatch(/cad_agent_jobs_completed_total\{capability="pdf-raster"\} 1/);
    expect(text).toMatch(/cad_agent_converter_recycled_total\{reason="jobs"\} [1-9]/); // every 2 jobs, a fresh one
    expect(text).toMatch(/cad_agent_gpu_present [01]/);
    expect(text).toMatch(/cad_agent_queue_depth\{capability="dxf"\} 0/);
    // Logs are JSON and carry job ids; the token never appears.
    expect(agent.logs.some((l) => l.jobId && l.msg === "job completed")).toBe(true);
  });

  it("stops on SIGTERM with no converter left behind", async () => {
    const mine = childrenOf(agent.proc.pid!);
    expect(mine.length).toBeGreaterThanOrEqual(2);
    const code = await agent.kill("SIGTERM");
    expect(code).toBe(0);
    const left = mine.filter(running);
    expect(left).toEqual([]);
  });
});
