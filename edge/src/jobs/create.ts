import { and, desc, eq, inArray } from "drizzle-orm";
import type { Capability, FileKind, Job, UploadOptions } from "@cad-kiosk/schema";
import { randomId, sha256Hex } from "../lib/ids.ts";
import { db, tables } from "../lib/db.ts";
import { settings, type Env } from "../env.ts";
import { dispatcher } from "./dispatch.ts";
import { presentJob } from "./present.ts";

/** Which agents can convert a file of this kind. */
export function capabilityFor(kind: FileKind): Capability {
  if (kind === "dxf" || kind === "dxf-binary") return "dxf";
  if (kind === "pdf") return "pdf-vector";
  return "pdf-raster";
}

/** Options in one canonical JSON form (sorted keys), so equal options give equal dedup keys. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/** The group to publish to does not change the model, so it is left out of the key. */
export async function dedupKeyFor(sha256: string, options: UploadOptions): Promise<string> {
  const { targetGroup: _ignored, ...conversion } = options;
  return sha256Hex(`${sha256}\n${canonicalJson(conversion)}`);
}

/**
 * The job for a completed drawing. Same content and same conversion options as an earlier job that
 * is queued, running or done → that job is reused (no new work). Otherwise a new queued job, and
 * waiting agents are woken.
 */
export async function createJobForDrawing(
  env: Env,
  input: { drawingId: string; sha256: string; fileKind: FileKind; options: UploadOptions; createdBy: string },
): Promise<{ job: Job; deduplicated: boolean }> {
  const d = db(env);
  const dedupKey = await dedupKeyFor(input.sha256, input.options);
  const existing = await d.query.jobs.findFirst({
    where: and(
      eq(tables.jobs.dedupKey, dedupKey),
      inArray(tables.jobs.status, ["queued", "leased", "succeeded"]),
    ),
    orderBy: desc(tables.jobs.createdAt),
  });
  if (existing) return { job: presentJob(existing), deduplicated: true };

  const [row] = await d
    .insert(tables.jobs)
    .values({
      id: randomId(12),
      drawingId: input.drawingId,
      dedupKey,
      options: input.options,
      capability: capabilityFor(input.fileKind),
      maxAttempts: settings(env).maxAttempts,
      targetGroupId: input.options.targetGroup ?? null,
      createdBy: input.createdBy,
    })
    .returning();
  await dispatcher(env).notify();
  return { job: presentJob(row!), deduplicated: false };
}
