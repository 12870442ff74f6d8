/** JSON logs (pino) on stdout; a job's lines carry its `jobId`. Tokens are redacted wherever they appear. */
import { pino, type Logger } from "pino";

export type { Logger };

export function createLogger(level: string, agentId: string): Logger {
  return pino({
    level,
    base: { agent: agentId },
    redact: { paths: ["token", "*.token", "headers.authorization", "*.headers.authorization", "config.token"], censor: "[redacted]" },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
}
