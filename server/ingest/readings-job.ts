/**
 * The `readings` job of the parse sandbox (sandbox.ts): reads one received GPS file with
 * parseReceivedFile and hands the readings to the main thread in blocks as it reads them.
 */
import type { JobChannel, JobResult } from './job.js';
import { parseReceivedFile } from './parse.js';
import { blockBuffers, ReadingColumns, type ParsedTrack, type ParseProgress, type ReadingSegment } from './readings.js';
import type { FinalTrack, ReadingsMessage, ReadingsRequest, ReadingsResult, TaggedBlock } from './sandbox.js';

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
}

export async function readingsJob(request: ReadingsRequest, channel: JobChannel): Promise<JobResult> {
  const handover = new Handover();
  const parsed = await parseReceivedFile(request.file, {
    ...request.options,
    // The main thread stores one message's rows while the next block is read here.
    onProgress: async (progress) => {
      const blocks = handover.collect(progress);
      if (blocks.length === 0) return;
      const message: ReadingsMessage = { format: progress.format, crs: progress.crs, blocks };
      await channel.send(message, blockBuffers(blocks.map((b) => b.block)));
    },
  });
  const { tracks, ...rest } = parsed;
  const blocks = handover.collect({ tracks, openTrack: null, openSegment: null });
  const finalTracks: FinalTrack[] = tracks.map((t) => ({
    id: handover.id(t),
    kind: t.kind,
    name: t.name,
    desc: t.desc,
    segments: t.segments.map((s) => (s instanceof ReadingColumns ? { id: handover.id(s) } : s)),
  }));
  const result: ReadingsResult = { parsed: { ...rest, tracks: finalTracks }, blocks };
  return { payload: result, transfer: blockBuffers(blocks.map((b) => b.block)) };
}
