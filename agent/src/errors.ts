/**
 * What can end a job, as types: each says what the agent does next, so the processor's catch is one
 * switch instead of string matching.
 */

/** The job failed. `permanent` (a bad drawing): tell the edge at once, no retry. Else BullMQ retries. */
export class JobFailure extends Error {
  override name = "JobFailure";
  readonly code: string;
  readonly permanent: boolean;
  constructor(code: string, message: string, permanent: boolean) {
    super(message);
    this.code = code;
    this.permanent = permanent;
  }
}

/** The edge says the lease is no longer ours (stale fence, job gone): stop, report nothing. */
export class LeaseLost extends Error {
  override name = "LeaseLost";
}

/** Staff cancelled the job: stop, and acknowledge the cancel to the edge. */
export class JobCancelled extends Error {
  override name = "JobCancelled";
}

/** The agent is shutting down: stop, and hand the job back to the edge for another agent. */
export class AgentStopping extends Error {
  override name = "AgentStopping";
}

/** The reason an abort signal was fired with, as one of the errors above. */
export function abortReason(signal: AbortSignal): Error {
  const r = signal.reason;
  return r instanceof Error ? r : new JobFailure("aborted", String(r ?? "aborted"), false);
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortReason(signal);
}
