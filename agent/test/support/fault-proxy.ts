/**
 * A loopback HTTP proxy in front of the edge that injects the failures a real network and a real
 * edge produce: 503 answers, connections reset mid-request, and answers held back past the client's
 * time limit (after the edge has already acted on the request), and bodies with one byte flipped.
 * Otherwise bodies stream through untouched.
 */
import { createServer, request, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export type Fault = "pass" | "503" | "reset" | "corrupt" | { holdMs: number };

export interface FaultProxy {
  url: string;
  /** Requests seen, as "METHOD /path" with the fault applied. */
  seen: { route: string; fault: string }[];
  setRule: (rule: (req: IncomingMessage) => Fault) => void;
  close: () => Promise<void>;
}

export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const upstream = new URL(target);
  let rule: (req: IncomingMessage) => Fault = () => "pass";
  const seen: FaultProxy["seen"] = [];
  const server: Server = createServer((req, res) => {
    const fault = rule(req);
    const route = `${req.method} ${new URL(req.url!, "http://x").pathname}`;
    seen.push({ route, fault: typeof fault === "string" ? fault : `hold ${fault.holdMs}` });
    if (fault === "503") {
      req.resume();
      res.writeHead(503, { "Content-Type": "application/json" }).end(JSON.stringify({ error: { code: "unavailable", message: "injected" } }));
      return;
    }
    if (fault === "reset") {
      req.socket.destroy();
      return;
    }
    const up = request({
      host: upstream.hostname, port: upstream.port, method: req.method, path: req.url,
      headers: { ...req.headers, host: upstream.host },
    }, (upRes) => {
      const send = () => {
        res.writeHead(upRes.statusCode!, upRes.headers);
        if (fault === "corrupt") {
          let first = true;
          upRes.on("data", (chunk: Buffer) => {
            if (first && chunk.length) chunk[0] = chunk[0]! ^ 0xff;
            first = false;
            res.write(chunk);
          });
          upRes.on("end", () => res.end());
        } else upRes.pipe(res);
      };
      if (typeof fault === "object") setTimeout(send, fault.holdMs);
      else send();
    });
    up.on("error", () => res.destroy());
    req.pipe(up);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    setRule: (r) => (rule = r),
    close: () => {
      server.closeAllConnections();
      return new Promise((r) => server.close(() => r()));
    },
  };
}
