// Reading a request body without holding more of it than the package will decode.

/**
 * The largest body whose 413 is answered cleanly: up to this much of a too-large body is
 * read and thrown away before answering.
 */
const DRAINED_BODY = 1024 * 1024;

/**
 * The body, or `undefined` once it is longer than `limit`: never more than that is held.
 *
 * A too-large body is not left unread: answered with the rest of it still coming, workerd
 * closes the connection on bytes it has not read, the kernel resets it, and the client,
 * still sending, sees the reset instead of its 413 (most often for a body streamed without
 * a Content-Length). So the rest is read and thrown away, one chunk at a time, until the
 * body ends; but only up to `DRAINED_BODY` in all. A body declared larger than that is not
 * read at all, and one streamed past it is cancelled: a client sending that much may see
 * the connection drop rather than read its 413, and no more of it is read for its sake.
 */
export async function readAtMost(request: Request, limit: number): Promise<Uint8Array | undefined> {
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  const declared = Number(request.headers.get("content-length") ?? 0);
  if (declared > limit) {
    if (declared <= DRAINED_BODY) await discard(reader, 0);
    else await reader.cancel().catch(() => {});
    return undefined;
  }
  // Held as it comes: a body trickled in slowly holds what has come, not the limit.
  const chunks: Uint8Array[] = [];
  let length = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (length + value.byteLength > limit) {
      await discard(reader, length + value.byteLength);
      return undefined;
    }
    chunks.push(value);
    length += value.byteLength;
  }
  if (chunks.length === 1 && chunks[0]) return chunks[0];
  const body = new Uint8Array(length);
  let at = 0;
  for (const chunk of chunks) {
    body.set(chunk, at);
    at += chunk.byteLength;
  }
  return body;
}

/**
 * Reads the rest of a body, `read` bytes of which have come, to its end, holding no chunk,
 * while no more than `DRAINED_BODY` have come in all; past that it cancels the rest.
 */
async function discard(reader: ReadableStreamDefaultReader<Uint8Array>, read: number): Promise<void> {
  try {
    while (read <= DRAINED_BODY) {
      const { done, value } = await reader.read();
      if (done) return;
      read += value.byteLength;
    }
    await reader.cancel();
  } catch {
    // The body broke off (the client went away, say): the 413 is answered all the same.
  }
}
