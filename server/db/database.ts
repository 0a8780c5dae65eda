import pg from 'pg';
import type { Config } from '../config.js';
import { startEmbedded, type EmbeddedServer } from './embedded.js';

// Bigint counts and ids come back as JS numbers; no Tessera table comes near 2^53 rows.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (v) => Number(v));

export type DatabaseKind = 'embedded' | 'server';

/** The app's one handle on PostgreSQL/PostGIS, whichever kind it is. */
export interface Database {
  pool: pg.Pool;
  kind: DatabaseKind;
  url: string;
  close(): Promise<void>;
}

export interface OpenOptions {
  /**
   * Pool size on a server. The embedded database gets one connection: PGlite is one session,
   * and its socket server queues protocol messages, not whole exchanges, so two connections
   * in flight can receive each other's replies.
   */
  poolSize?: number;
}

/** Connect to `DATABASE_URL`, or start the embedded PostGIS under the data directory. */
export async function openDatabase(config: Pick<Config, 'databaseUrl' | 'dataDir'>, options: OpenOptions = {}): Promise<Database> {
  let embedded: EmbeddedServer | null = null;
  let url = config.databaseUrl;
  if (!url) {
    embedded = await startEmbedded(config.dataDir);
    url = embedded.url;
  }
  const pool = new pg.Pool({
    connectionString: url,
    max: embedded ? 1 : (options.poolSize ?? 10),
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 30_000,
    keepAlive: true,
    // JIT compilation costs 0.2-0.7 s per statement and pays off only on long analytical scans.
    // Tessera's queries are short, but the planner overestimates recursive hierarchy walks by
    // ~500x (17M rows for 31k), which crosses jit_above_cost: the progress query took 1.26 s
    // with JIT and 0.19 s without on a 10,000-village country. PGlite has no JIT to turn off.
    ...(embedded ? {} : { options: '-c jit=off' }),
  });
  // An idle client that loses its server must not crash the process; the next query reports it.
  pool.on('error', (err) => console.error('database connection error:', err.message));
  return {
    pool,
    kind: embedded ? 'embedded' : 'server',
    url,
    async close() {
      await pool.end();
      await embedded?.stop();
    },
  };
}

/** A client that is either the pool or one checked-out connection inside a transaction. */
export type Queryable = Pick<pg.Pool | pg.PoolClient, 'query'>;

/**
 * Run `work` in one transaction on one connection: all of it commits, or none of it does.
 * Everything inside must use the given client; a second pool query would wait on this one.
 */
export async function withTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
