/** Start-up configuration and the one place where upload options become converter options. */
import { describe, expect, it } from "vitest";
import { ConfigError, capabilitiesOf, loadConfig } from "../src/config.ts";
import { converterOptions, hardLimitMs } from "../src/converter/options.ts";

const base = { EDGE_URL: "https://cad.example.com/", AGENT_TOKEN: "cka_0123456789abcdef0123" };

describe("loadConfig", () => {
  it("fills defaults and normalises", () => {
    const cfg = loadConfig(base, () => false);
    expect(cfg.edgeUrl).toBe("https://cad.example.com");
    expect(cfg.redisUrl).toBe("redis://127.0.0.1:6379");
    expect(cfg.concurrency).toEqual({ dxf: 2, "pdf-vector": 1, "pdf-raster": 1 });
    expect(cfg.converter.command.slice(-3)).toEqual(["-m", "converter", "serve"]);
    expect(cfg.gpu).toBe(false);
    expect(capabilitiesOf(loadConfig({ ...base, AGENT_CONCURRENCY_PDF_RASTER: "0" }))).toEqual(["dxf", "pdf-vector"]);
  });

  it("detects the GPU unless told", () => {
    expect(loadConfig(base, () => true).gpu).toBe(true);
    expect(loadConfig({ ...base, AGENT_GPU: "false" }, () => true).gpu).toBe(false);
  });

  it("lists every bad variable at once, naming it, without echoing the token", () => {
    let err: unknown;
    try {
      loadConfig({ EDGE_URL: "ftp://x", AGENT_TOKEN: "short", AGENT_CONCURRENCY_DXF: "many", AGENT_ID: "a b" });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const msg = (err as Error).message;
    for (const name of ["EDGE_URL", "AGENT_TOKEN", "AGENT_CONCURRENCY_DXF", "AGENT_ID"]) expect(msg).toContain(name);
    expect(msg).not.toContain("short");
    expect(() => loadConfig({ ...base, AGENT_CONCURRENCY_DXF: "0", AGENT_CONCURRENCY_PDF_VECTOR: "0", AGENT_CONCURRENCY_PDF_RASTER: "0" }))
      .toThrow(/every AGENT_CONCURRENCY_\* is 0/);
  });
});

describe("converterOptions", () => {
  const cfg = loadConfig(base).converter;
  it("passes the drawing's options, keeps targetGroup at the edge, limits from the agent", () => {
    const out = converterOptions({ targetGroup: "lobby", units: "cm", wallHeight: 3, layerMapping: { "TITLE*": "ignore" } }, cfg);
    expect(out).toEqual({ units: "cm", wallHeight: 3, layerMapping: { "TITLE*": "ignore" }, timeoutSeconds: 300, memoryMb: 4096 });
    expect(converterOptions({}, cfg)).toEqual({ timeoutSeconds: 300, memoryMb: 4096 });
    expect(converterOptions({ pages: "1,3-4", scale: "1:50", pixelsPerMetre: 100, singleLineWallThickness: 0.1 }, cfg))
      .toMatchObject({ pages: "1,3-4", scale: "1:50", pixelsPerMetre: 100, singleLineWallThickness: 0.1 });
    expect(hardLimitMs(cfg)).toBe(315_000);
  });
});
