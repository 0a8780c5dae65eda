/**
 * What a job of the parse sandbox sees of its thread (parse-worker.ts): a channel to hand
 * results to the main thread while it reads. Kept apart from the worker's entry so that the
 * jobs (GPS files, datasets) can be written and tested as plain async functions.
 */
export interface JobChannel {
  /**
   * Hand a message over once the previous one is acknowledged (the main thread has stored it):
   * at most one is being stored while the job reads on. Throws JobCancelled when the main
   * thread has given up on the job (its upload failed for another reason).
   */
  send(payload: unknown, transfer?: ArrayBuffer[]): Promise<void>;
}

/** A job's last word: its result, and the buffers in it to move rather than copy. */
export interface JobResult {
  payload: unknown;
  transfer?: ArrayBuffer[];
}

export type JobHandler = (request: never, channel: JobChannel) => Promise<JobResult>;

/** Thrown into a job whose upload the main thread has given up on. */
export class JobCancelled extends Error {
  constructor() {
    super('the job was cancelled');
  }
}
