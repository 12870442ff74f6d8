/** Redis key names in one place: one BullMQ queue per capability, under this agent's own prefix. */
import type { Capability } from "@cad-kiosk/schema";

/** Agents sharing one Redis never see each other's jobs: each has its prefix. */
export const queuePrefix = (agentId: string) => `cad-kiosk:${agentId}`;
export const queueName = (capability: Capability) => `convert-${capability}`;
