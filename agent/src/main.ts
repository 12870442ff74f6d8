/**
 * Entry point: `node agent/src/main.ts` (Node ≥ 22.18 runs TypeScript directly). Configuration from
 * the environment (see config.ts); SIGTERM/SIGINT stop gracefully, a second signal stops at once.
 */
import { Agent } from "./agent.ts";
import { ConfigError, loadConfig } from "./config.ts";

let cfg;
try {
  cfg = loadConfig();
} catch (err) {
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(78); // EX_CONFIG
  }
  throw err;
}

const agent = new Agent(cfg);
let firstSignalAt = 0;
const onSignal = (sig: NodeJS.Signals) => {
  // A terminal's Ctrl-C and a supervisor's TERM often arrive together: only a later, second signal forces.
  if (firstSignalAt && Date.now() - firstSignalAt > 2000) {
    agent.log.warn({ sig }, "second signal: stopping now");
    agent.pool.close().finally(() => process.exit(130));
    return;
  }
  if (firstSignalAt) return;
  firstSignalAt = Date.now();
  agent.stop().then(
    () => process.exit(0),
    (err) => {
      agent.log.error({ err: String(err) }, "stop failed");
      process.exit(1);
    },
  );
};
process.on("SIGTERM", onSignal);
process.on("SIGINT", onSignal);

try {
  await agent.start();
} catch (err) {
  agent.log.fatal({ err: err instanceof Error ? err.message : String(err) }, "agent failed to start");
  await agent.stop(0).catch(() => undefined);
  process.exit(1);
}
