import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../src/index.ts";
import { runMaintenance } from "../src/maintenance.ts";
import { agentToken, uploaderToken } from "./helpers.ts";
import { claim, makeJob, resetJobs } from "./jobs-fixtures.ts";
import { dxf, idOf, keysUnder, open, patch, row } from "./uploads-helpers.ts";

describe("maintenance (cron)", () => {
  it("aborts expired uploads and ends jobs whose last lease ran out", async () => {
    await resetJobs();
    // An upload left half-way, then past its expiry.
    const uploader = await uploaderToken();
    const bytes = dxf(6 * 1024 * 1024);
    const path = await open(uploader, { length: bytes.length });
    expect((await patch(uploader, path, 0, bytes.slice(0, 5 * 1024 * 1024))).status).toBe(204);
    const id = idOf(path);
    await env.DB.prepare("UPDATE uploads SET expires_at = ? WHERE id = ?").bind(Date.now() - 1000, id).run();

    // A job leased on its last attempt whose lease ran out.
    const { job } = await makeJob();
    const agent = await agentToken();
    expect((await claim(agent)).status).toBe(200);
    await env.DB.prepare("UPDATE jobs SET attempts = max_attempts, lease_expires_at = ? WHERE id = ?")
      .bind(Date.now() - 1000, job.id).run();

    const report = await runMaintenance(env);
    expect(report.uploadsExpired).toBeGreaterThanOrEqual(1);
    expect(report.jobsEnded).toBe(1);
    expect((await row(id))!.status).toBe("aborted");
    expect(await keysUnder(`uploads/${id}`)).toEqual([]);
    const ended = await env.DB.prepare("SELECT status, error_code FROM jobs WHERE id = ?").bind(job.id).first();
    expect(ended).toEqual({ status: "dead", error_code: "lease_expired" });
  });

  it("is wired to the Worker's scheduled handler", async () => {
    const waits: Promise<unknown>[] = [];
    const ctx = { waitUntil: (p: Promise<unknown>) => waits.push(p), passThroughOnException() {} } as unknown as ExecutionContext;
    worker.scheduled({ cron: "*/5 * * * *", scheduledTime: Date.now(), noRetry() {} } as ScheduledController, env, ctx);
    expect(waits).toHaveLength(1);
    await expect(waits[0]).resolves.toMatchObject({ uploadsExpired: expect.any(Number) });
  });
});
