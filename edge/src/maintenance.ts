import type { Env } from "./env.ts";
import { dispatcher } from "./jobs/dispatch.ts";
import { sweepExpired } from "./jobs/lease.ts";
import { sweepExpiredUploads } from "./uploads/lifecycle.ts";

export interface MaintenanceReport {
  uploadsExpired: number;
  jobsEnded: number;
}

/**
 * Periodic housekeeping (cron trigger): abort uploads past their expiry, end jobs whose lease ran
 * out with no attempts left, and wake waiting agents for jobs whose lease ran out and may run again.
 * Claims do the job part lazily too; the cron makes it happen when no agent is asking.
 */
export async function runMaintenance(env: Env, now = Date.now()): Promise<MaintenanceReport> {
  const uploadsExpired = await sweepExpiredUploads(env, { now });
  const ended = await sweepExpired(env, now).run();
  await dispatcher(env).notify();
  return { uploadsExpired, jobsEnded: ended.meta.changes ?? 0 };
}
