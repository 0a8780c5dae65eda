import fs from 'node:fs';
import { once } from 'node:events';

/** What a synthetic field walk looks like; the defaults are a mapper walking a village perimeter in Sekong. */
export interface WalkOptions {
  points: number;
  /** Start of the walk, WGS84 degrees. */
  lon?: number;
  lat?: number;
  /** Seed for the noise, so two runs write the same bytes and compare like with like. */
  seed?: number;
  /** Share of fixes (0..1) written as a wild jump, so cleaning has spikes to find. */
  spikeRate?: number;
}

/** A small fast PRNG (mulberry32): reproducible noise without a dependency. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const M_PER_DEG_LAT = 111_320;

/**
 * Writes a GPX 1.1 file of one track in one segment: a 1 Hz walk at about 1.2 m/s that turns
 * slowly, with a few metres of GPS noise, elevation, time, HDOP and satellite count on every
 * point, as a Garmin handheld writes them. Streamed to disk with backpressure, so a million
 * points never sit in memory. Returns the file size in bytes.
 */
export async function writeWalkGpx(file: string, opts: WalkOptions): Promise<number> {
  const random = mulberry32(opts.seed ?? 20240131);
  const spikeRate = opts.spikeRate ?? 0.0005;
  let lon = opts.lon ?? 106.7;
  let lat = opts.lat ?? 15.35;
  let heading = random() * 2 * Math.PI;
  let ele = 180;
  const start = Date.UTC(2024, 0, 31, 1, 0, 0);
  const out = fs.createWriteStream(file);
  let size = 0;
  const write = async (text: string) => {
    size += Buffer.byteLength(text);
    if (!out.write(text)) await once(out, 'drain');
  };
  await write(
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
      '<gpx version="1.1" creator="Tessera bench (Garmin eTrex 32x shaped)" xmlns="http://www.topografix.com/GPX/1/1">\n' +
      '  <metadata><name>Bench walk</name></metadata>\n' +
      '  <trk>\n    <name>Bench perimeter walk</name>\n    <trkseg>\n',
  );
  let batch = '';
  for (let i = 0; i < opts.points; i++) {
    heading += (random() - 0.5) * 0.2;
    const step = 1.0 + random() * 0.4;
    lat += (Math.cos(heading) * step) / M_PER_DEG_LAT;
    lon += (Math.sin(heading) * step) / (M_PER_DEG_LAT * Math.cos((lat * Math.PI) / 180));
    ele += (random() - 0.5) * 0.6;
    const spike = random() < spikeRate ? 0.01 : 0;
    const noise = () => (random() - 0.5) * 6e-5;
    const pLat = lat + noise() + spike;
    const pLon = lon + noise();
    const hdop = 0.6 + random() * 2 + (random() < 0.002 ? 8 : 0);
    const sat = 5 + Math.floor(random() * 8);
    const time = new Date(start + i * 1000).toISOString().replace('.000Z', 'Z');
    batch +=
      `      <trkpt lat="${pLat.toFixed(7)}" lon="${pLon.toFixed(7)}"><ele>${ele.toFixed(1)}</ele>` +
      `<time>${time}</time><sat>${sat}</sat><hdop>${hdop.toFixed(1)}</hdop></trkpt>\n`;
    if (batch.length > 1 << 16) {
      await write(batch);
      batch = '';
    }
  }
  await write(`${batch}    </trkseg>\n  </trk>\n</gpx>\n`);
  out.end();
  await once(out, 'finish');
  return size;
}
