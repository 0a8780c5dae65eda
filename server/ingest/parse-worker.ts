/**
 * The parsing thread of the parse sandbox (sandbox.ts): reads one received file at a time with
 * parseReceivedFile and hands the readings to the main thread in blocks as it reads them.
 * Only parsers are imported here (no database, no web server), so the thread starts small and
 * its heap limit is spent on the file. Loaded through parse-worker.mjs.
 */
import { parentPort } from 'node:worker_threads';
import { isUserError } from '../errors.js';
import { parseReceivedFile } from './parse.js';
import { blockBuffers, ReadingColumns, type ParsedTrack, type ParseProgress, type ReadingSegment } from './readings.js';
import type { FinalTrack, FromWorker, TaggedBlock, ToWorker } from './sandbox.js';

const port = parentPort!;

/**
 * What of a file's readings has been handed to the main thread: finished tracks, then the open
 * track's finished segments, whole; of the segment being read, only full blocks. Blocks thus
 * leave in file order, and only the last segment ever has a part still here.
 */
class Handover {
  private readonly ids = new WeakMap<object, number>();
  private nextId = 0;
  private handedTracks = 0;
  private openTrack: ParsedTrack<ReadingSegment> | null = null;
  private openHanded = 0;
  /** Whether a message of blocks awaits the main thread's acknowledgement, and who waits for it. */
  private inFlight = false;
  private waiter: (() => void) | null = null;

  constructor(private readonly job: number) {}

  id(o: object): number {
    let id = this.ids.get(o);
    if (id === undefined) this.ids.set(o, (id = this.nextId++));
    return id;
  }

  /** The blocks read since the last call, taken from their segments. */
  collect(progress: Pick<ParseProgress, 'tracks' | 'openTrack' | 'openSegment'>): TaggedBlock[] {
    const out: TaggedBlock[] = [];
    const take = (track: ParsedTrack<ReadingSegment>, segment: ReadingSegment, all: boolean) => {
      if (!(segment instanceof ReadingColumns)) return;
      for (const block of segment.handOver(all)) out.push({ track: this.id(track), kind: track.kind, segment: this.id(segment), block });
    };
    for (; this.handedTracks < progress.tracks.length; this.handedTracks++) {
      const track = progress.tracks[this.handedTracks];
      const from = track === this.openTrack ? this.openHanded : 0;
      for (let k = from; k < track.segments.length; k++) take(track, track.segments[k], true);
      if (track === this.openTrack) this.openTrack = null;
    }
    const open = progress.openTrack;
    if (open !== null) {
      if (open !== this.openTrack) {
        this.openTrack = open;
        this.openHanded = 0;
      }
      for (; this.openHanded < open.segments.length; this.openHanded++) take(open, open.segments[this.openHanded], true);
      if (progress.openSegment !== null) take(open, progress.openSegment, false);
    }
    return out;
  }

  /**
   * Send the blocks read so far once the previous message is acknowledged: the main thread
   * stores one message's rows while the next block is read here, and no more is in flight.
   */
  async send(progress: ParseProgress): Promise<void> {
    const blocks = this.collect(progress);
    if (blocks.length === 0) return;
    if (this.inFlight) await new Promise<void>((resolve) => (this.waiter = resolve));
    this.inFlight = true;
    post({ type: 'blocks', job: this.job, format: progress.format, crs: progress.crs, blocks }, blockBuffers(blocks.map((b) => b.block)));
  }

  acknowledged(): void {
    this.inFlight = false;
    const waiter = this.waiter;
    this.waiter = null;
    waiter?.();
  }
}

function post(message: FromWorker, transfer: ArrayBuffer[] = []): void {
  port.postMessage(message, transfer);
}

let current: Handover | null = null;
let currentJob = -1;

async function parse(message: Extract<ToWorker, { type: 'parse' }>): Promise<void> {
  const handover = new Handover(message.job);
  current = handover;
  currentJob = message.job;
  try {
    const parsed = await parseReceivedFile(message.file, { ...message.options, onProgress: (progress) => handover.send(progress) });
    const { tracks, ...rest } = parsed;
    const blocks = handover.collect({ tracks, openTrack: null, openSegment: null });
    const finalTracks: FinalTrack[] = tracks.map((t) => ({
      id: handover.id(t),
      kind: t.kind,
      name: t.name,
      desc: t.desc,
      segments: t.segments.map((s) => (s instanceof ReadingColumns ? { id: handover.id(s) } : s)),
    }));
    post({ type: 'done', job: message.job, parsed: { ...rest, tracks: finalTracks }, blocks }, blockBuffers(blocks.map((b) => b.block)));
  } catch (err) {
    const error = isUserError(err)
      ? { user: true as const, code: err.code, message: err.message, details: err.details }
      : { user: false as const, message: err instanceof Error ? err.message : String(err), stack: err instanceof Error ? err.stack : undefined, code: (err as { code?: string }).code };
    post({ type: 'failed', job: message.job, error });
  } finally {
    current = null;
  }
}

port.on('message', (message: ToWorker) => {
  if (message.type === 'parse') void parse(message);
  else if (message.type === 'ack' && message.job === currentJob) current?.acknowledged();
});
post({ type: 'ready' });
