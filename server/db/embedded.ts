import fs from 'node:fs/promises';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { postgis } from '@electric-sql/pglite-postgis';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { readyForQueryFilter } from './protocol.js';

/** A PGlite + PostGIS database served on a loopback socket, so the app reaches it with `pg`. */
export interface EmbeddedServer {
  url: string;
  stop(): Promise<void>;
}

type RawStream = (message: Uint8Array, opts: { onRawData: (data: Uint8Array) => void; syncToFs?: boolean }) => Promise<void>;

/**
 * PGlite answers an error inside an extended-protocol exchange (Parse/Bind/Execute, before
 * Sync) with its own ReadyForQuery, and then another one for the Sync. A `pg` client that has
 * already sent its next query takes the second one as that query's end, and from then on
 * every reply lands on the wrong query. Only Sync and simple Query end an exchange in the
 * protocol, so ReadyForQuery is dropped from the replies to any other message.
 */
function fixExtendedProtocolReplies(db: PGlite): void {
  const target = db as unknown as { execProtocolRawStream: RawStream };
  const original = target.execProtocolRawStream.bind(db);
  target.execProtocolRawStream = (message, opts) => {
    const filter = readyForQueryFilter(message[0]);
    if (!filter) return original(message, opts);
    return original(message, { ...opts, onRawData: (data) => filter(data, opts.onRawData) });
  };
}

/**
 * Open (or create) the embedded database under `dataDir` and serve it on 127.0.0.1.
 * PGlite is a single Postgres session: the socket server queues messages from its connections
 * and the pool in front of it holds one connection. One process at a time: see lockDataDir.
 */
export async function startEmbedded(dataDir: string, port = 0): Promise<EmbeddedServer> {
  const dir = path.join(dataDir, 'pglite');
  await fs.mkdir(dir, { recursive: true });
  const unlock = await lockDataDir(dir);
  try {
    const db = await PGlite.create({ dataDir: dir, extensions: { postgis } });
    fixExtendedProtocolReplies(db);
    const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port, maxConnections: 16, debug: process.env.TESSERA_PGLITE_DEBUG === '1' });
    await server.start();
    return {
      url: `postgres://postgres@${server.getServerConn()}/postgres`,
      async stop() {
        await server.stop();
        await db.close();
        await unlock();
      },
    };
  } catch (err) {
    await unlock();
    throw err;
  }
}

/**
 * Claims the data directory for this process, as PostgreSQL's postmaster.pid does: PGlite
 * itself does not, and two processes writing the same files (the server, and `npm run import`
 * started beside it) would corrupt the district's database. A lock left by a process that
 * is gone is taken over. Returns the release.
 */
export async function lockDataDir(dir: string): Promise<() => Promise<void>> {
  const lockFile = path.join(dir, 'tessera.pid');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await fs.writeFile(lockFile, `${process.pid}\n`, { flag: 'wx' });
      return () => fs.rm(lockFile, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = Number.parseInt(await fs.readFile(lockFile, 'utf8').catch(() => ''), 10);
    if (Number.isInteger(holder) && holder > 0 && isRunning(holder)) {
      throw new Error(
        `The embedded database in ${dir} is in use by process ${holder} (a Tessera server or command). ` +
          'Stop it first, or send the work to that server (its API), or set DATABASE_URL to a PostgreSQL server, which several processes can share.',
      );
    }
    await fs.rm(lockFile, { force: true });
  }
  throw new Error(`Could not lock the embedded database in ${dir}: another process keeps claiming it.`);
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
