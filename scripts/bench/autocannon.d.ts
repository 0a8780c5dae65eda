// Declarations for autocannon (no bundled types); only what the benchmarks call.

declare module 'autocannon' {
  export interface Request {
    /** Called before each request with the request and the connection's context. */
    setupRequest?: (request: Request, context: Record<string, unknown>) => Request;
    path?: string;
    method?: string;
    headers?: Record<string, string>;
  }

  export interface Options {
    url: string;
    connections?: number;
    pipelining?: number;
    duration?: number;
    /** ms between samples; the end of an `amount` run is noticed at a sample. */
    sampleInt?: number;
    /** Total requests to make; overrides duration. */
    amount?: number;
    headers?: Record<string, string>;
    requests?: Request[];
  }

  export interface Histogram {
    average: number;
    mean: number;
    stddev: number;
    min: number;
    max: number;
    p50: number;
    p90: number;
    p99: number;
    total: number;
  }

  export interface Result {
    latency: Histogram;
    requests: Histogram;
    throughput: Histogram;
    /** Seconds actually run. */
    duration: number;
    errors: number;
    timeouts: number;
    non2xx: number;
    '2xx': number;
    [status: string]: unknown;
  }

  export default function autocannon(options: Options): Promise<Result>;
}
