import path from 'node:path';
import { levelNamesFor, type LevelName } from './areas/levels.js';
import { PARSE_DEFAULTS, type ParseLimits } from './ingest/sandbox.js';

/** Typed runtime configuration, read once from the environment. */
export interface Config {
  port: number;
  host: string;
  /** Unset means the embedded PGlite + PostGIS database under `dataDir`. */
  databaseUrl: string | null;
  dataDir: string;
  adminToken: string | null;
  /** Load the demo province when the database holds no areas. */
  loadDemo: boolean;
  fixturesDir: string;
  webDist: string;
  /** Public base URL printed in QR codes on maps. */
  publicUrl: string;
  limits: {
    uploadBytes: number;
    uploadFiles: number;
    points: number;
  };
  cleaning: {
    maxHdop: number;
    maxSpeedMps: number;
  };
  /** Limits of the threads GPS files and boundary datasets are read in (server/ingest/sandbox.ts). */
  parse: ParseLimits;
  logLevel: string;
  /** ISO code of the country whose usual CRSs and extent guide shapefile import. */
  country: string;
  /** What the levels are called, from the top: the country's names or TESSERA_LEVEL_NAMES. */
  levelNames: LevelName[];
}

const ROOT = path.resolve(import.meta.dirname, '..');

function int(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) {
    throw new Error(`${name} must be a non-negative number, got '${raw}'`);
  }
  return value;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = int(env, 'PORT', 3000);
  const host = env.HOST || '127.0.0.1';
  const country = (env.TESSERA_COUNTRY || 'LA').toUpperCase();
  return {
    port,
    host,
    databaseUrl: env.DATABASE_URL || null,
    dataDir: path.resolve(env.DATA_DIR || path.join(ROOT, 'data')),
    adminToken: env.TESSERA_ADMIN_TOKEN || null,
    loadDemo: env.TESSERA_DEMO !== '0',
    fixturesDir: path.resolve(env.TESSERA_FIXTURES || path.join(ROOT, 'fixtures')),
    webDist: path.resolve(env.TESSERA_WEB_DIST || path.join(ROOT, 'web', 'dist')),
    publicUrl: env.TESSERA_PUBLIC_URL || `http://${host === '0.0.0.0' ? 'localhost' : host}:${port}`,
    limits: {
      uploadBytes: int(env, 'TESSERA_MAX_UPLOAD_MB', 200) * 1024 * 1024,
      uploadFiles: int(env, 'TESSERA_MAX_UPLOAD_FILES', 20),
      points: int(env, 'TESSERA_MAX_POINTS', 2_000_000),
    },
    cleaning: {
      maxHdop: int(env, 'TESSERA_MAX_HDOP', 5),
      maxSpeedMps: int(env, 'TESSERA_MAX_SPEED_MPS', 4),
    },
    parse: {
      heapMb: int(env, 'TESSERA_PARSE_HEAP_MB', PARSE_DEFAULTS.heapMb),
      timeoutMs: int(env, 'TESSERA_PARSE_TIMEOUT_S', PARSE_DEFAULTS.timeoutMs / 1000) * 1000,
      workers: Math.max(1, Math.floor(int(env, 'TESSERA_PARSE_WORKERS', PARSE_DEFAULTS.workers))),
    },
    logLevel: env.LOG_LEVEL || 'info',
    country,
    levelNames: levelNamesFor(country, env.TESSERA_LEVEL_NAMES),
  };
}

export const PROJECT_ROOT = ROOT;
