/**
 * Upload options (schema UploadOptions) → converter options (converter/README.md "Options"): the one
 * place where they meet. `targetGroup` belongs to the edge (it publishes the model) and never reaches
 * the converter; limits come from the agent's configuration, not from the uploader.
 */
import type { UploadOptions } from "@cad-kiosk/schema";
import type { AgentConfig } from "../config.ts";

export function converterOptions(upload: UploadOptions, cfg: AgentConfig["converter"]): Record<string, unknown> {
  const out: Record<string, unknown> = {
    timeoutSeconds: cfg.timeoutSeconds,
    memoryMb: cfg.memoryMb,
  };
  if (upload.units) out.units = upload.units;
  if (upload.wallHeight !== undefined) out.wallHeight = upload.wallHeight;
  if (upload.layerMapping && Object.keys(upload.layerMapping).length) out.layerMapping = { ...upload.layerMapping };
  for (const key of ["singleLineWallThickness", "pages", "scale", "pixelsPerMetre"] as const) {
    if (upload[key] !== undefined) out[key] = upload[key];
  }
  return out;
}

/** The agent kills a converter that outlives its own time limit by this much. */
export const hardLimitMs = (cfg: AgentConfig["converter"]) => (cfg.timeoutSeconds + 15) * 1000;
