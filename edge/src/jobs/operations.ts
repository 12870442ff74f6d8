import type { Operation } from "../openapi/operation.ts";

// PLACEHOLDER: the agent and read routes document themselves here.
export const jobOperations: Operation[] = [];
