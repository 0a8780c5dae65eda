import { Worker } from 'node:worker_threads';
import { UserError, type ErrorCode } from '../errors.js';
import type { ParseOptions } from './parse.js';
import {
  bareExtensions, ReadingColumns, type ColumnsBlock, type ParsedFile, type ParsedTrack, type ParseProgress, type Reading, type ReadingSegment, type SourceFormat,
} from './readings.js';
import type { ReceivedFile } from './receive.js';

/**
 * The parse sandbox: every uploaded file is read in a worker thread with a heap limit and a
 * wall-clock limit (GPS files, and boundary datasets: zips, shapefiles, GeoJSON, KML), so a
 * file that would take the server's memory or time (a hostile one, or a parser's blind spot)
 * costs one thread, which is stopped, and the upload gets a 4xx; the server goes on serving.
 *
 * A thread runs one job at a time. A job hands its results over as messages while it reads
 * (GPS readings in blocks of columns, dataset features in encoded chunks), each sent once the
 * previous one is acknowledged: the main thread stores one message while the next is read, on
 * the other core, and the time limit counts the reading only.
 */
export interface ParseLimits {
  /** Old-generation heap of a parsing thread, in MB; 0 for V8's own limit. */
  heapMb: number;
  /** Wall-clock time a file may take to read, in ms (time spent storing what it sent excluded); 0 for none. */
  timeoutMs: number;
  /** Parsing threads at most; more files at once wait for one. */
  workers: number;
}

export const PARSE_DEFAULTS: ParseLimits = { heapMb: 1024, timeoutMs: 120_000, workers: 2 };

/** What a thread can be asked to do (parse-worker.ts has a handler for each). */
export type JobKind = 'readings' | 'dataset' | 'zip-names';

/** A job's own error as it crosses threads: a UserError (the file's fault) or a bug; `cancelled` when the main thread gave up on it. */
export type JobError =
  | { user: true; code: ErrorCode; message: string; details: unknown[] }
  | { user: false; message: string; stack?: string; code?: string }
  | { cancelled: true };

export type ToWorker =
  | { type: 'run'; job: number; kind: JobKind; request: unknown }
  | { type: 'ack'; job: number }
  | { type: 'cancel'; job: number };

export type FromWorker =
  | { type: 'ready' }
  | { type: 'message'; job: number; payload: unknown }
  | { type: 'done'; job: number; payload: unknown }
  | { type: 'failed'; job: number; error: JobError };

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

/** The `readings` job: one GPS file read with parseReceivedFile. */
export interface ReadingsRequest {
  file: ReceivedFile;
  options: Omit<ParseOptions, 'onProgress'>;
}
export interface ReadingsMessage {
  format: SourceFormat;
  crs?: string;
  blocks: TaggedBlock[];
}
export interface ReadingsResult {
  parsed: Omit<ParsedFile<ReadingSegment>, 'tracks'> & { tracks: FinalTrack[] };
  blocks: TaggedBlock[];
}

/** Idle threads are ended after this long (each holds ~30 MB), so a quiet server holds none. */
const IDLE_MS = 5 * 60_000;
/**
 * A parsing thread's young generation, in MB. V8's default (48 MB) let a long walk's reading
 * take ~25 MB more of the process than this, for no measurable gain in time; 8 MB took more CPU.
 */
const YOUNG_GENERATION_MB = 16;
/**
 * A thread that has read a file this large whole is ended rather than kept: its heap grew with
 * the file, and returning it to the system before the upload's cleaning and track lines (the
 * peak of an ingest's memory) matters more than the second the next large file waits for a
 * new thread.
 */
export const RETIRE_AFTER_BYTES = 32 * 1024 * 1024;
/** How long a job the main thread gave up on may take to notice before its thread is stopped. */
const CANCEL_GRACE_MS = 10_000;
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
  parsed(done: ReadingsResult['parsed']): ParsedFile<ReadingSegment> {
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

/** How a run names what it reads when it is stopped, and what to tell the user to do. */
export interface RunOptions {
  /** Wall-clock time the job may read for, in ms; 0 for none. */
  timeoutMs: number;
  /** The files read, as the user named them. */
  files: string[];
  /** What the user can do about a file stopped at a limit. */
  advice: string;
  /** End the thread after the job instead of keeping it (its heap grew with a large file). */
  retire?: boolean;
}

export type RunStep<M, R> = { done: false; value: M } | { done: true; value: R };

/**
 * One job in a sandbox thread, consumed message by message:
 *
 *   const run = sandbox.run(kind, request, options);
 *   try { for (let s = await run.next(); !s.done; s = await run.next()) store(s.value); } finally { run.close(); }
 *
 * `next()` acknowledges the message before (the thread may send the next one) and runs the
 * clock until a message arrives; between the two the clock is stopped, so storing what was
 * sent costs the file none of its time. A stop (time, memory, the thread's crash, a UserError
 * the job threw) is thrown by `next()`, never while the caller stores, so a rollback that
 * follows it never races a write. `close()` gives up a job not finished (the thread is told to
 * stop and kept once it has) and always gives the thread back.
 */
export class SandboxRun<M, R> {
  private readonly job = ++jobs;
  private thread: Thread | null = null;
  private started: Promise<void> | null = null;
  private readonly inbox: FromWorker[] = [];
  private waiter: { resolve: () => void; reject: (e: Error) => void } | null = null;
  private failure: Error | null = null;
  /** The thread has sent its last word on the job (done or failed): it may take another. */
  private ended = false;
  private released = false;
  private closed = false;
  private delivered = false;
  private left: number;
  private since = 0;
  private timer: NodeJS.Timeout | null = null;
  private graceTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly sandbox: ParseSandbox,
    private readonly kind: JobKind,
    private readonly request: unknown,
    private readonly options: RunOptions,
    private readonly transfer: ArrayBuffer[] = [],
  ) {
    this.left = options.timeoutMs;
  }

  /** End the thread after this job rather than keep it (or not); may be decided while the job runs. */
  retire(yes = true): void {
    this.options.retire = yes;
  }

  async next(): Promise<RunStep<M, R>> {
    if (this.closed) throw new Error('the sandbox run is closed');
    if (!this.started) this.started = this.start();
    await this.started;
    if (this.delivered) {
      this.delivered = false;
      if (this.failure === null && !this.ended) {
        this.thread!.worker.postMessage({ type: 'ack', job: this.job } satisfies ToWorker);
        this.runClock();
      }
    }
    for (;;) {
      const message = this.inbox.shift();
      if (message !== undefined) {
        if (message.type === 'message') {
          this.delivered = true;
          return { done: false, value: message.payload as M };
        }
        if (message.type === 'done') return { done: true, value: message.payload as R };
      }
      if (this.failure !== null) throw this.failure;
      await new Promise<void>((resolve, reject) => (this.waiter = { resolve, reject }));
    }
  }

  /** Give the thread back: kept when the job ended well or with the file's own error, or once a job given up on has stopped. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.stopClock();
    this.inbox.length = 0;
    if (this.thread === null) {
      // Never started, or stopped before it was ready: the start gives the slot back itself.
      return;
    }
    if (this.ended || this.failure !== null) {
      this.release(this.ended && !this.options.retire);
      return;
    }
    this.thread.worker.postMessage({ type: 'cancel', job: this.job } satisfies ToWorker);
    this.graceTimer = setTimeout(() => this.release(false), CANCEL_GRACE_MS).unref();
  }

  private async start(): Promise<void> {
    const thread = await this.sandbox.acquire();
    try {
      await thread.ready;
    } catch (err) {
      this.sandbox.releaseThread(thread, false);
      throw err;
    }
    this.thread = thread;
    const worker = thread.worker;
    worker.on('message', this.onMessage);
    worker.on('error', this.onError);
    worker.on('exit', this.onExit);
    this.runClock();
    worker.postMessage({ type: 'run', job: this.job, kind: this.kind, request: this.request } satisfies ToWorker, this.transfer);
  }

  private readonly onMessage = (message: FromWorker) => {
    if (message.type === 'ready' || message.job !== this.job) return;
    this.stopClock();
    if (message.type === 'failed') {
      this.ended = true;
      const e = message.error;
      if ('cancelled' in e) {
        this.fail(new Error('the sandbox job was cancelled'));
      } else if (e.user) {
        this.fail(new UserError(e.code, e.message, e.details));
      } else {
        const bug = Object.assign(new Error(e.message), { code: e.code });
        if (e.stack) bug.stack = e.stack;
        this.fail(bug);
      }
    } else {
      if (message.type === 'done') this.ended = true;
      if (!this.closed) this.inbox.push(message);
      this.wake();
    }
    if (this.closed && this.ended) this.release(!this.options.retire);
  };

  private readonly onError = (err: Error & { code?: string }) => {
    this.fail(err.code === 'ERR_WORKER_OUT_OF_MEMORY' ? limitError('PARSE_OUT_OF_MEMORY', this.options) : err);
    this.release(false);
  };

  private readonly onExit = (code: number) => {
    this.fail(new Error(`the parsing thread stopped (exit code ${code}) while reading ${this.options.files.map((f) => `'${f}'`).join(', ')}`));
    this.release(false);
  };

  private fail(err: Error): void {
    if (this.failure !== null) return;
    this.failure = err;
    this.stopClock();
    this.wake();
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = null;
    w?.resolve();
  }

  private runClock(): void {
    this.since = performance.now();
    if (this.options.timeoutMs > 0 && this.timer === null) {
      this.timer = setTimeout(() => {
        this.timer = null;
        this.fail(limitError('PARSE_TIMEOUT', this.options));
        this.release(false);
      }, Math.max(0, this.left));
    }
  }

  private stopClock(): void {
    if (this.timer === null) return;
    clearTimeout(this.timer);
    this.timer = null;
    this.left -= performance.now() - this.since;
  }

  /** Hand the thread back to the pool (kept for the next job, or ended). */
  private release(keep: boolean): void {
    if (this.released || this.thread === null) return;
    this.released = true;
    this.stopClock();
    if (this.graceTimer !== null) clearTimeout(this.graceTimer);
    const worker = this.thread.worker;
    worker.off('message', this.onMessage);
    worker.off('error', this.onError);
    worker.off('exit', this.onExit);
    this.sandbox.releaseThread(this.thread, keep && !this.options.retire);
  }
}

/**
 * A small pool of parsing threads with one heap limit. Threads are kept between jobs, as
 * starting one (Node, tsx, the parsers' modules) takes most of a second, and replaced when one
 * is stopped.
 */
export class ParseSandbox {
  private readonly idle: Thread[] = [];
  private running = 0;
  private readonly queue: (() => void)[] = [];
  /** Threads this pool has started, for the logs and tests: a stopped job costs one, a job given up on none. */
  threadsStarted = 0;

  constructor(private readonly limits: Pick<ParseLimits, 'heapMb' | 'workers'>) {}

  /** A job in a thread of this pool: see SandboxRun. `transfer`: buffers of the request moved, not copied. */
  run<M, R>(kind: JobKind, request: unknown, options: RunOptions, transfer?: ArrayBuffer[]): SandboxRun<M, R> {
    return new SandboxRun<M, R>(this, kind, request, options, transfer);
  }

  /** A job run to its end, its messages given to `onMessage` (awaited before the thread may send the next). */
  async runToEnd<M, R>(kind: JobKind, request: unknown, options: RunOptions, onMessage?: (message: M) => Promise<void> | void): Promise<R> {
    const run = this.run<M, R>(kind, request, options);
    try {
      for (;;) {
        const step = await run.next();
        if (step.done) return step.value;
        await onMessage?.(step.value);
      }
    } finally {
      run.close();
    }
  }

  /**
   * Read one GPS file in a thread. `onProgress` (GPX on a server database) is called with what
   * has been read each time a block arrives, and awaited before the thread may send the next.
   */
  async parse(
    file: ReceivedFile,
    options: Omit<ParseOptions, 'onProgress'>,
    timeoutMs: number,
    onProgress?: (progress: ParseProgress) => Promise<void>,
  ): Promise<ParsedFile<ReadingSegment>> {
    const mirror = new Mirror();
    const request: ReadingsRequest = { file: { name: file.name, path: file.path, size: file.size, sha256: file.sha256 }, options };
    const result = await this.runToEnd<ReadingsMessage, ReadingsResult>('readings', request, {
      timeoutMs, files: [file.name], advice: 'Split the file into smaller ones (a day or a village each) and upload them again.', retire: file.size >= RETIRE_AFTER_BYTES,
    }, async (message) => {
      mirror.adopt(message.blocks);
      if (onProgress) await onProgress(mirror.progress(message.format, message.crs));
    });
    mirror.adopt(result.blocks);
    return mirror.parsed(result.parsed);
  }

  /** Start a thread now, so that the next file does not wait for one to load (about a second). */
  async warm(): Promise<void> {
    if (this.idle.length > 0) return;
    const thread = this.start();
    await thread.ready;
    this.rest(thread);
  }

  /** A thread for one job, once one of the pool's slots is free. */
  async acquire(): Promise<Thread> {
    // A slot is handed from a finishing job to a waiting one, so no third thread slips in between.
    if (this.running < Math.max(1, this.limits.workers)) this.running++;
    else await new Promise<void>((resolve) => this.queue.push(resolve));
    const thread = this.idle.pop() ?? this.start();
    if (thread.idleTimer !== null) clearTimeout(thread.idleTimer);
    thread.worker.ref();
    return thread;
  }

  /** A job's thread back: kept idle for the next job, or ended; its slot goes to the next job waiting. */
  releaseThread(thread: Thread, keep: boolean): void {
    if (keep) this.rest(thread);
    else void thread.worker.terminate();
    const next = this.queue.shift();
    if (next) next();
    else this.running--;
  }

  private start(): Thread {
    this.threadsStarted++;
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

/** The error of files whose reading was stopped, in the mapper's words. */
function limitError(code: 'PARSE_TIMEOUT' | 'PARSE_OUT_OF_MEMORY', options: RunOptions): UserError {
  const what = code === 'PARSE_TIMEOUT'
    ? `reading ${options.files.length > 1 ? 'them' : 'it'} took longer than ${fmtSeconds(options.timeoutMs)}, the most this server gives one file, so it was stopped`
    : `reading ${options.files.length > 1 ? 'them' : 'it'} needed more memory than this server gives one file, so it was stopped`;
  const named = `${options.files.length > 1 ? 'Files' : 'File'} ${options.files.map((f) => `'${f}'`).join(', ')}`;
  return new UserError(
    code,
    `${named}: ${what}. Nothing from this upload was stored. ${options.advice}`,
    options.files.map((file) => ({ file, ...(code === 'PARSE_TIMEOUT' ? { limit_seconds: options.timeoutMs / 1000 } : {}) })),
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

/** The sandbox and time limit for these limits (PARSE_DEFAULTS for those not given). */
export function sandboxFor(limits: Partial<ParseLimits> = {}): { sandbox: ParseSandbox; timeoutMs: number } {
  const { heapMb, workers, timeoutMs } = { ...PARSE_DEFAULTS, ...limits };
  return { sandbox: parseSandbox({ heapMb, workers }), timeoutMs };
}

/** Read a received GPS file in the sandbox with these limits (PARSE_DEFAULTS for those not given). */
export function parseInSandbox(
  file: ReceivedFile,
  options: Omit<ParseOptions, 'onProgress'>,
  limits: Partial<ParseLimits> = {},
  onProgress?: (progress: ParseProgress) => Promise<void>,
): Promise<ParsedFile<ReadingSegment>> {
  const { sandbox, timeoutMs } = sandboxFor(limits);
  return sandbox.parse(file, options, timeoutMs, onProgress);
}
