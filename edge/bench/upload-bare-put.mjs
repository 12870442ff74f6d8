// Benchmark baseline only (never deployed): one bare streamed PUT of the request body into R2, the
// fastest the runtime can move bytes to R2. Run by upload-bench.mjs with upload-bare-put.toml.
export default {
  async fetch(request, env) {
    if (request.method !== "PUT") return new Response("PUT only", { status: 405 });
    const length = Number(request.headers.get("Content-Length"));
    if (!Number.isFinite(length) || length <= 0) return new Response("Content-Length required", { status: 411 });
    // A body of known length streams straight into R2 (no buffering).
    const obj = await env.FILES.put(`bench/bare-${crypto.randomUUID()}`, request.body);
    return Response.json({ key: obj.key, size: obj.size });
  },
};
