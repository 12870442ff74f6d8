/** /healthz (liveness + readiness in one JSON answer) and /metrics (Prometheus text). Nothing else. */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Metrics } from "./metrics.ts";

export interface Health {
  ok: boolean;
  [key: string]: unknown;
}

export class OpsServer {
  readonly #server: Server;

  constructor(metrics: Metrics, health: () => Promise<Health>, beforeScrape: () => Promise<void>) {
    this.#server = createServer(async (req, res) => {
      try {
        if (req.method !== "GET") {
          res.writeHead(405, { Allow: "GET" }).end();
        } else if (req.url === "/healthz") {
          const h = await health();
          res.writeHead(h.ok ? 200 : 503, { "Content-Type": "application/json" }).end(JSON.stringify(h));
        } else if (req.url === "/metrics") {
          await beforeScrape();
          res.writeHead(200, { "Content-Type": metrics.registry.contentType }).end(await metrics.registry.metrics());
        } else {
          res.writeHead(404, { "Content-Type": "text/plain" }).end("not found\n");
        }
      } catch (err) {
        res.writeHead(500, { "Content-Type": "text/plain" }).end(`${err instanceof Error ? err.message : err}\n`);
      }
    });
  }

  listen(port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      this.#server.once("error", reject);
      this.#server.listen(port, host, () => resolve((this.#server.address() as AddressInfo).port));
    });
  }

  close(): Promise<void> {
    this.#server.closeAllConnections();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}
