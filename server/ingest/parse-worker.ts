/**
 * The thread of the parse sandbox (sandbox.ts): runs one job at a time (a GPS file read, a
 * dataset read, a zip listed) and passes its messages to the main thread, one in flight at a
 * time. Only readers are imported here (no database, no web server), so the thread starts
 * small and its heap limit is spent on the file; the dataset readers are loaded on the first
 * dataset. Loaded through parse-worker.mjs.
 */
import { parentPort } from 'node:worker_threads';
import { isUserError } from '../errors.js';
import { JobCancelled, type JobChannel, type JobHandler } from './job.js';
import { readingsJob } from './readings-job.js';
import type { FromWorker, JobError, JobKind, ToWorker } from './sandbox.js';

const port = parentPort!;

const handlers: Record<JobKind, () => Promise<JobHandler>> = {
  readings: () => Promise.resolve(readingsJob as JobHandler),
  dataset: async () => (await import('../datasets/read.js')).datasetJob as JobHandler,
  'zip-names': async () => (await import('../datasets/read.js')).zipNamesJob as JobHandler,
};

/** The job running, with whether its last message awaits the main thread's acknowledgement, and who waits for it. */
class Channel implements JobChannel {
  private inFlight = false;
  private waiter: { resolve: () => void; reject: (e: Error) => void } | null = null;
  cancelled = false;

  constructor(readonly job: number) {}

  async send(payload: unknown, transfer: ArrayBuffer[] = []): Promise<void> {
    if (this.cancelled) throw new JobCancelled();
    if (this.inFlight) await new Promise<void>((resolve, reject) => (this.waiter = { resolve, reject }));
    this.inFlight = true;
    post({ type: 'message', job: this.job, payload }, transfer);
  }

  acknowledged(): void {
    this.inFlight = false;
    const waiter = this.waiter;
    this.waiter = null;
    waiter?.resolve();
  }

  cancel(): void {
    this.cancelled = true;
    const waiter = this.waiter;
    this.waiter = null;
    waiter?.reject(new JobCancelled());
  }
}

function post(message: FromWorker, transfer: ArrayBuffer[] = []): void {
  port.postMessage(message, transfer);
}

let current: Channel | null = null;

async function run(message: Extract<ToWorker, { type: 'run' }>): Promise<void> {
  const channel = new Channel(message.job);
  current = channel;
  try {
    const handler = await handlers[message.kind]();
    const { payload, transfer } = await handler(message.request as never, channel);
    post({ type: 'done', job: message.job, payload }, transfer);
  } catch (err) {
    const error: JobError = channel.cancelled
      ? { cancelled: true }
      : isUserError(err)
        ? { user: true, code: err.code, message: err.message, details: err.details }
        : { user: false, message: err instanceof Error ? err.message : String(err), stack: err instanceof Error ? err.stack : undefined, code: (err as { code?: string }).code };
    post({ type: 'failed', job: message.job, error });
  } finally {
    if (current === channel) current = null;
  }
}

port.on('message', (message: ToWorker) => {
  if (message.type === 'run') void run(message);
  else if (message.job === current?.job) {
    if (message.type === 'ack') current.acknowledged();
    else current.cancel();
  }
});
post({ type: 'ready' });
