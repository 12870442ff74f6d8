import type { Operation } from "../openapi/operation.ts";

// PLACEHOLDER: the tus routes document themselves here.
export const uploadOperations: Operation[] = [];
