/**
 * A request body as a sequence of byte chunks, read in large pieces. Request bodies arrive from the
 * runtime in small pieces (about 4 KiB), and each read costs far more than copying the bytes; a BYOB
 * reader with workerd's `readAtLeast` fills a reused scratch buffer with at least READ_MIN bytes per
 * read. A chunk is valid only until the next one is asked for (its buffer is reused).
 *
 * Small reads stay small for a reason: if the connection breaks during a read, the bytes of that one
 * read are lost (the client resends them from the committed offset); everything before is kept.
 */
export const READ_MIN = 256 * 1024;
export const READ_MAX = 1024 * 1024;

export async function* byteChunks(body: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  let reader: ReadableStreamBYOBReader;
  try {
    reader = body.getReader({ mode: "byob" });
  } catch {
    // Not a byte stream: take its chunks as they come.
    const plain = body.getReader();
    for (;;) {
      const { done, value } = await plain.read();
      if (done) return;
      yield value;
    }
  }
  let scratch = new Uint8Array(READ_MAX);
  for (;;) {
    const { done, value } = await reader.readAtLeast(READ_MIN, scratch);
    if (value && value.byteLength) yield value;
    if (done || !value) return;
    scratch = new Uint8Array(value.buffer); // the read transferred the buffer; take it back
  }
}
