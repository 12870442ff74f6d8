import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { agentToken, call } from "./helpers.ts";
import { makeJob, resetJobs } from "./jobs-fixtures.ts";

describe("long-poll claim and a client that went away", () => {
  it("does not lease a job to an agent whose request was aborted", async () => {
    await resetJobs();
    const agent = await agentToken();
    const abort = new AbortController();
    const pending = call("/api/agent/claim", agent, {
      method: "POST",
      body: JSON.stringify({ capabilities: ["dxf"], waitSeconds: 5 }),
      signal: abort.signal,
    }).catch(() => null);
    await new Promise((r) => setTimeout(r, 300));
    abort.abort();
    await pending;
    await new Promise((r) => setTimeout(r, 200));
    const { job } = await makeJob();
    await new Promise((r) => setTimeout(r, 500));
    const row = await env.DB.prepare("SELECT status FROM jobs WHERE id = ?").bind(job.id).first<{ status: string }>();
    expect(row!.status).toBe("queued");
  });
});
