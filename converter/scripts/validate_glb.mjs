// Validate GLB files with the Khronos glTF-Validator; prints one JSON report per file (JSON lines).
// Usage: node converter/scripts/validate_glb.mjs FILE.glb [...]
// Exit code: 0 when every file has 0 errors, 1 otherwise, 2 when gltf-validator is missing.
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, "..", "..", "package.json"));
let validator;
try {
  validator = require("gltf-validator");
} catch (err) {
  console.error(`gltf-validator not installed (run npm install at the repository root): ${err.message}`);
  process.exit(2);
}

let failed = false;
for (const file of process.argv.slice(2)) {
  const bytes = new Uint8Array(await readFile(file));
  const report = await validator.validateBytes(bytes, { maxIssues: 200, writeTimestamp: false });
  const { numErrors, numWarnings, numInfos, numHints, messages } = report.issues;
  if (numErrors > 0) failed = true;
  console.log(JSON.stringify({ file, numErrors, numWarnings, numInfos, numHints, messages, info: report.info }));
}
process.exit(failed ? 1 : 0);
