import { Worker } from 'node:worker_threads';
import { UserError, type ErrorCode } from '../errors.js';
import type { ParseOptions } from './parse.js';
import {
  bareExtensions, ReadingColumns, type ColumnsBlock, type ParsedFile, type ParsedTrack, type ParseProgress, type Reading, type ReadingSegment, type SourceFormat,
} from './readings.js';
import type { ReceivedFile } from './receive.js';

/**
 * The parse sandbox: every GPS file is read in a worker thread with a heap limit and a
 * wall-clock limit, so a file that would take the server's memory or time (a hostile one, or a
 * parser's blind spot) costs one thread, which is stopped, and the upload gets a 4xx; the
 * server goes on serving. The thread only parses; readings come back in blocks of columns as
 * they are read (their arrays transferred, not copied), so a server database stores one block
 * while the next is parsed, on the other core.
 */
export interface ParseLimits {
  /** Old-generation heap of a parsing thread, in MB; 0 for V8's own limit. */
  heapMb: number;
  /** Wall-clock time a file may take to read, in ms (time spent storing its readings excluded); 0 for none. */
  timeoutMs: number;
  /** Parsing threads at most; more files at once wait for one. */
  workers: number;
}

export const PARSE_DEFAULTS: ParseLimits = { heapMb: 1024, timeoutMs: 120_000, workers: 2 };

/** A block of columns with the segment and track it belongs to (ids the parsing thread gives them). */
export interface TaggedBlock {
  track: number;
  kind: ParsedTrack['kind'];
  segment: number;
  block: ColumnsBlock;
}

/** A track of the parsed file: its segments are columns sent in blocks (by id), or readings sent whole. */
export interface FinalTrack {
  id: number;
  kind: ParsedTrack['kind'];
  name?: string;
  desc?: string;
  segments: ({ id: number } | readonly Reading[])[];
}

export type ToWorker =
  | { type: 'parse'; job: number; file: ReceivedFile; options: Omit<ParseOptions, 'onProgress'> }
  | { type: 'ack'; job: number };

export type FromWorker =
  | { type: 'ready' }
  | { type: 'blocks'; job: number; format: SourceFormat; crs?: string; blocks: TaggedBlock[] }
  | { type: 'done'; job: number; parsed: Omit<ParsedFile<ReadingSegment>, 'tracks'> & { tracks: FinalTrack[] }; blocks: TaggedBlock[] }
  | {
      type: 'failed';
      job: number;
      error: { user: true; code: ErrorCode; message: string; details: unknown[] } | { user: false; message: string; stack?: string; code?: string };
    };

/** Idle threads are ended after this long (each holds ~30 MB), so a quiet server holds none. */
const IDLE_MS = 5 * 60_000;
/**
 * A parsing thread's young generation, in MB. V8's default (48 MB) let a long walk's reading
 * take ~25 MB more of the process than this, for no measurable gain in time; 8 MB took more CPU.
 */
const YOUNG_GENERATION_MB = 16;
/**
 * A thread that has read a file this large is ended rather than kept: its heap grew with the
 * file, and returning it to the system before the upload's cleaning and track lines (the
 * peak of an ingest's memory) matters more than the second the next large file waits for a
 * new thread.
 */
const RETIRE_AFTER_BYTES = 32 * 1024 * 1024;
const WORKER_URL = new URL('./parse-worker.mjs', import.meta.url);

/**
 * The file's tracks as the parsing thread has sent them so far, rebuilt on this thread: the
 * same track and segment objects make the ParseProgress given to `onProgress` and then the
 * parsed file, as the parser's own objects did when it ran here.
 */
class Mirror {
  readonly tracks: ParsedTrack<ReadingSegment>[] = [];
  private readonly trackById = new Map<number, ParsedTrack<ReadingSegment>>();
  private readonly segmentById = new Map<number, ReadingColumns>();

  adopt(blocks: readonly TaggedBlock[]): void {
    for (const { track: trackId, kind, segment: segmentId, block } of blocks) {
      let track = this.trackById.get(trackId);
      if (track === undefined) {
        track = { kind, segments: [] };
        this.trackById.set(trackId, track);
        this.tracks.push(track);
      }
      let segment = this.segmentById.get(segmentId);
      if (segment === undefined) {
        segment = new ReadingColumns();
        this.segmentById.set(segmentId, segment);
        track.segments.push(segment);
      }
      segment.adopt(block);
    }
  }

  /** What has been read: every track but the last is complete (GPX tracks follow one another). */
  progress(format: SourceFormat, crs: string | undefined): ParseProgress {
    const open = this.tracks.length > 0 ? this.tracks[this.tracks.length - 1] : null;
    return { format, crs, tracks: this.tracks.slice(0, -1), openTrack: open, openSegment: null };
  }

  /** The parsed file with its tracks made of the objects already given out. */
  parsed(done: Extract<FromWorker, { type: 'done' }>['parsed']): ParsedFile<ReadingSegment> {
    const tracks = done.tracks.map((t) => {
      const track: ParsedTrack<ReadingSegment> = this.trackById.get(t.id) ?? { kind: t.kind, segments: [] };
      track.segments = t.segments.map((s) => ('id' in s ? this.segmentById.get(s.id)! : withBareExtensions(s)));
      if (t.name !== undefined) track.name = t.name;
      if (t.desc !== undefined) track.desc = t.desc;
      return track;
    });
    return { ...done, tracks };
  }
}

/** Readings whose extensions are prototype-less again, as parsers make them (a structured clone gives them Object's prototype). */
function withBareExtensions(readings: readonly Reading[]): readonly Reading[] {
  for (const r of readings) {
    if (r.extensions !== undefined) (r as Reading).extensions = bareExtensions(r.extensions);
  }
  return readings;
}

let jobs = 0;

/** A parsing thread; `ready` once its modules are loaded (the time limit starts then). */
interface Thread {
  worker: Worker;
  ready: Promise<void>;
  idleTimer: NodeJS.Timeout | null;
}

/**
 * A small pool of parsing threads with one heap limit. Threads are kept between files, as
 * starting one (Node, tsx, the parsers' modules) takes most of a second, and replaced when one
 * is stopped.
 */
export class ParseSandbox {
  private readonly idle: Thread[] = [];
  private running = 0;
  private readonly queue: (() => void)[] = [];

  constructor(private readonly limits: Pick<ParseLimits, 'heapMb' | 'workers'>) {}

  /**
   * Read one file in a thread. `onProgress` (GPX on a server database) is called with what
   * has been read each time a block arrives, and awaited before the thread may send the next.
   */
  async parse(
    file: ReceivedFile,
    options: Omit<ParseOptions, 'onProgress'>,
    timeoutMs: number,
    onProgress?: (progress: ParseProgress) => Promise<void>,
  ): Promise<ParsedFile<ReadingSegment>> {
    // A slot is handed from a finishing job to a waiting one, so no third thread slips in between.
    if (this.running < Math.max(1, this.limits.workers)) this.running++;
    else await new Promise<void>((resolve) => this.queue.push(resolve));
    const thread = this.idle.pop() ?? this.start();
    if (thread.idleTimer !== null) clearTimeout(thread.idleTimer);
    thread.worker.ref();
    let reusable = false;
    try {
      await thread.ready;
      const result = await runJob(thread.worker, file, options, timeoutMs, onProgress);
      reusable = file.size < RETIRE_AFTER_BYTES;
      return result;
    } catch (err) {
      reusable = err instanceof WorkerUserError;
      throw err instanceof WorkerUserError ? err.error : err;
    } finally {
      if (reusable) this.rest(thread);
      else void thread.worker.terminate();
      const next = this.queue.shift();
      if (next) next();
      else this.running--;
    }
  }

  /** Start a thread now, so that the next file does not wait for one to load (about a second). */
  async warm(): Promise<void> {
    if (this.idle.length > 0) return;
    const thread = this.start();
    await thread.ready;
    this.rest(thread);
  }

  private start(): Thread {
    const worker = new Worker(WORKER_URL, {
      // The thread loads tsx itself (parse-worker.mjs); inheriting the process's loader flags would load it twice.
      execArgv: [],
      resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB, ...(this.limits.heapMb > 0 ? { maxOldGenerationSizeMb: this.limits.heapMb } : {}) },
    });
    const ready = new Promise<void>((resolve, reject) => {
      worker.once('message', () => resolve());
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`the parsing thread stopped (exit code ${code}) before it was ready`)));
    });
    ready.catch(() => undefined);
    // An error between jobs ends the thread; the next job starts another.
    worker.on('error', () => undefined);
    const thread: Thread = { worker, ready, idleTimer: null };
    worker.once('exit', () => {
      const i = this.idle.indexOf(thread);
      if (i >= 0) this.idle.splice(i, 1);
    });
    return thread;
  }

  private rest(thread: Thread): void {
    thread.worker.unref();
    thread.idleTimer = setTimeout(() => {
      const i = this.idle.indexOf(thread);
      if (i >= 0) this.idle.splice(i, 1);
      void thread.worker.terminate();
    }, IDLE_MS).unref();
    this.idle.push(thread);
  }
}

/** A UserError the parser threw in the thread: the thread itself is fine and can read the next file. */
class WorkerUserError extends Error {
  constructor(readonly error: UserError) {
    super(error.message);
  }
}

/**
 * One file read by one thread. Settles with the parsed file, a WorkerUserError (the file's
 * fault, thread reusable), or another error after which the thread must go: stopped for its
 * time or memory (a UserError naming the file), or a bug.
 */
function runJob(
  worker: Worker,
  file: ReceivedFile,
  options: Omit<ParseOptions, 'onProgress'>,
  timeoutMs: number,
  onProgress?: (progress: ParseProgress) => Promise<void>,
): Promise<ParsedFile<ReadingSegment>> {
  const job = ++jobs;
  const mirror = new Mirror();
  return new Promise((resolve, reject) => {
    let settled = false;
    // Messages are handled one after another: a block is stored before the next is looked at.
    let chain = Promise.resolve();
    // The clock runs while the thread reads, and stops while this thread stores what it sent.
    let left = timeoutMs;
    let since = performance.now();
    let timer: NodeJS.Timeout | null = null;
    const runClock = () => {
      since = performance.now();
      if (timeoutMs > 0) timer = setTimeout(() => fail(limitError('PARSE_TIMEOUT', file, timeoutMs)), Math.max(0, left));
    };
    const stopClock = () => {
      if (timer !== null) clearTimeout(timer);
      timer = null;
      left -= performance.now() - since;
    };
    const cleanup = () => {
      if (timer !== null) clearTimeout(timer);
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    // A failure waits for the block being stored: the caller rolls the upload back on it, and no
    // write of that block may reach the connection after the rollback.
    const fail = (err: Error) => {
      if (settled) return;
      settled = true;
      cleanup();
      void chain.then(() => reject(err), () => reject(err));
    };
    const succeed = (parsed: ParsedFile<ReadingSegment>) => {
      if (settled) return;
      settled = true;
      cleanup();
      resolve(parsed);
    };
    const onMessage = (message: FromWorker) => {
      if (message.type === 'ready' || message.job !== job) return;
      if (message.type === 'blocks') stopClock();
      chain = chain.then(async () => {
        if (settled) return;
        if (message.type === 'blocks') {
          mirror.adopt(message.blocks);
          if (onProgress) await onProgress(mirror.progress(message.format, message.crs));
          if (settled) return;
          runClock();
          worker.postMessage({ type: 'ack', job } satisfies ToWorker);
        } else if (message.type === 'done') {
          mirror.adopt(message.blocks);
          succeed(mirror.parsed(message.parsed));
        } else {
          const e = message.error;
          if (e.user) {
            fail(new WorkerUserError(new UserError(e.code, e.message, e.details)));
          } else {
            const bug = Object.assign(new Error(e.message), { code: e.code });
            if (e.stack) bug.stack = e.stack;
            fail(bug);
          }
        }
      }).catch((err: unknown) => fail(err instanceof Error ? err : new Error(String(err))));
    };
    const onError = (err: Error & { code?: string }) => {
      fail(err.code === 'ERR_WORKER_OUT_OF_MEMORY' ? limitError('PARSE_OUT_OF_MEMORY', file, 0) : err);
    };
    const onExit = (code: number) => fail(new Error(`the parsing thread stopped (exit code ${code}) while reading '${file.name}'`));
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
    runClock();
    worker.postMessage({ type: 'parse', job, file: { name: file.name, path: file.path, size: file.size, sha256: file.sha256 }, options } satisfies ToWorker);
  });
}

/** The error of a file whose reading was stopped, in the mapper's words. */
function limitError(code: 'PARSE_TIMEOUT' | 'PARSE_OUT_OF_MEMORY', file: ReceivedFile, timeoutMs: number): UserError {
  const what = code === 'PARSE_TIMEOUT'
    ? `reading it took longer than ${fmtSeconds(timeoutMs)}, the most this server gives one file, so it was stopped`
    : 'reading it needed more memory than this server gives one file, so it was stopped';
  return new UserError(
    code,
    `File '${file.name}': ${what}. Nothing from this upload was stored. Split the file into smaller ones (a day or a village each) and upload them again.`,
    [{ file: file.name, ...(code === 'PARSE_TIMEOUT' ? { limit_seconds: timeoutMs / 1000 } : {}) }],
  );
}

function fmtSeconds(ms: number): string {
  const s = ms / 1000;
  return s === 1 ? '1 second' : `${Number(s.toFixed(s < 10 ? 2 : 0))} seconds`;
}

const sandboxes = new Map<string, ParseSandbox>();

/** The sandbox for these limits, made once and shared by every upload that uses them. */
export function parseSandbox(limits: Pick<ParseLimits, 'heapMb' | 'workers'>): ParseSandbox {
  const key = `${limits.heapMb}/${limits.workers}`;
  let sandbox = sandboxes.get(key);
  if (sandbox === undefined) sandboxes.set(key, (sandbox = new ParseSandbox(limits)));
  return sandbox;
}

/** Read a received file in the sandbox with these limits (PARSE_DEFAULTS for those not given). */
export function parseInSandbox(
  file: ReceivedFile,
  options: Omit<ParseOptions, 'onProgress'>,
  limits: Partial<ParseLimits> = {},
  onProgress?: (progress: ParseProgress) => Promise<void>,
): Promise<ParsedFile<ReadingSegment>> {
  const { heapMb, workers, timeoutMs } = { ...PARSE_DEFAULTS, ...limits };
  return parseSandbox({ heapMb, workers }).parse(file, options, timeoutMs, onProgress);
}
