/** Frontend message types inside an extended-protocol exchange, which never end it. */
const EXTENDED = new Set(['P', 'B', 'D', 'E', 'C', 'H'].map((c) => c.charCodeAt(0)));
const READY_FOR_QUERY = 'Z'.charCodeAt(0);

/**
 * For a frontend message of type `firstByte`, a stream filter that drops ReadyForQuery
 * frames from the backend's reply (null when the message may legitimately end with one).
 * Frames may be split across chunks, so it keeps the unfinished tail between calls.
 */
export function readyForQueryFilter(firstByte: number | undefined): ((chunk: Uint8Array, emit: (data: Uint8Array) => void) => void) | null {
  if (firstByte === undefined || !EXTENDED.has(firstByte)) return null;
  let pending: Buffer = Buffer.alloc(0);
  return (chunk, emit) => {
    pending = pending.length ? Buffer.concat([pending, chunk]) : Buffer.from(chunk);
    const keep: Buffer[] = [];
    let at = 0;
    while (pending.length - at >= 5) {
      const size = 1 + pending.readInt32BE(at + 1);
      if (pending.length - at < size) break;
      if (pending[at] !== READY_FOR_QUERY) keep.push(pending.subarray(at, at + size));
      at += size;
    }
    pending = pending.subarray(at);
    if (keep.length) emit(keep.length === 1 ? keep[0] : Buffer.concat(keep));
  };
}
