import type { Database } from '../db/database.js';
import { withTransaction } from '../db/database.js';
import { UserError } from '../errors.js';
import { getArea, listAreas, listLevels } from '../areas/store.js';
import { cleanReadings, summariseCleaning, type CleaningOptions } from './clean.js';
import { parseReceivedFile } from './parse.js';
import type { ParsedFile } from './readings.js';
import type { ReceivedFile } from './receive.js';
import { assignTrack, candidateCodes, VillageNames } from './assign.js';
import type { VillageCandidate } from './match.js';
import * as store from './store.js';

export interface IngestOptions {
  area: string | null;
  actor: string | null;
  maxPoints: number;
  cleaning: Partial<CleaningOptions>;
  /** CRS and text encoding the uploader says the files are in, overriding what they say. */
  crs?: string;
  encoding?: string;
}

/** What one file became, for the mapper. */
export interface FileReport {
  file: string;
  upload_id: string;
  sha256: string;
  duplicate: boolean;
  format: string;
  version?: string;
  creator?: string;
  crs: string;
  readings: { read: number; kept: number; dropped: Record<string, number> };
  tracks: { id: number; name: string | null; kind: string; area_code: string | null; other_area_code: string | null; kept: number; dropped: number }[];
  markers: number;
  bbox: [number, number, number, number] | null;
  time_span: { start: string; end: string } | null;
  warnings: string[];
}

export interface IngestResult {
  created: boolean;
  uploads: store.StoredUpload[];
  report: { files: FileReport[] };
}

function bboxOf(points: { lon: number; lat: number }[]): [number, number, number, number] | null {
  if (points.length === 0) return null;
  let [w, s, e, n] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const p of points) {
    if (p.lon < w) w = p.lon;
    if (p.lon > e) e = p.lon;
    if (p.lat < s) s = p.lat;
    if (p.lat > n) n = p.lat;
  }
  return [w, s, e, n];
}

/**
 * Ingest the files of one upload: parse and clean everything first, then write it all in one
 * transaction, so a bad file leaves nothing behind. Files whose bytes were uploaded before
 * are answered with the earlier upload and stored again never.
 */
export async function ingestFiles(db: Database, files: ReceivedFile[], opts: IngestOptions): Promise<IngestResult> {
  const area = opts.area ? await getArea(db.pool, opts.area) : null;
  if (opts.area && !area) {
    throw new UserError('VALIDATION_FAILED', `The upload names area '${opts.area}', which does not exist.`, [{ field: 'area', value: opts.area }]);
  }

  const fresh: { file: ReceivedFile; parsed: ParsedFile }[] = [];
  const earlier: store.StoredUpload[] = [];
  const seen = new Set<string>();
  for (const file of files) {
    const previous = await store.findUploadBySha(db.pool, file.sha256);
    if (previous) {
      earlier.push(previous);
      continue;
    }
    if (seen.has(file.sha256)) continue;
    seen.add(file.sha256);
    fresh.push({ file, parsed: await parseReceivedFile(file, { maxPoints: opts.maxPoints, crs: opts.crs, encoding: opts.encoding }) });
  }

  const codes = candidateCodes(fresh.flatMap(({ parsed }) => parsed.tracks.map((t) => t.name)));
  const known = await store.areaIdsByCode(db.pool, codes);
  if (area) known.set(area.code, area.id);
  const knownCodes = new Set(known.keys());
  const villages = await villagesToMatch(db, fresh.map((f) => f.parsed));
  for (const v of villages) known.set(v.code, v.id);

  const created = await withTransaction(db.pool, async (client) => {
    const reports: { id: string; report: FileReport }[] = [];
    for (const { file, parsed } of fresh) {
      const uploadId = await store.insertUpload(client, {
        filename: file.name, sha256: file.sha256, size: file.size, kind: parsed.format, crs: parsed.crs ?? 'EPSG:4326', areaId: area?.id ?? null, actor: opts.actor,
      });
      const names = new VillageNames(knownCodes, villages);
      const totals = { read: 0, kept: 0, dropped: {} as Record<string, number> };
      const trackReports: FileReport['tracks'] = [];
      const times: string[] = [];
      const allPoints: { lon: number; lat: number }[] = [];
      for (const track of parsed.tracks) {
        const raw = track.segments.flat();
        const cleaned = track.segments.flatMap((segment) => cleanReadings(segment, opts.cleaning));
        const summary = summariseCleaning(cleaned);
        totals.read += summary.read;
        totals.kept += summary.kept;
        for (const [reason, n] of Object.entries(summary.dropped)) {
          if (n > 0) totals.dropped[reason] = (totals.dropped[reason] ?? 0) + n;
        }
        const assignment = assignTrack(track, (n) => names.code(n, 'Track name'), area?.code ?? null);
        const id = await store.insertTrack(client, {
          uploadId,
          areaId: assignment.areaCode ? known.get(assignment.areaCode)! : null,
          otherAreaId: assignment.otherAreaCode ? known.get(assignment.otherAreaCode)! : null,
          name: track.name ?? null,
          description: track.desc ?? null,
          kind: assignment.kind,
          readings: cleaned,
        }, store.readingWriterFor(db.kind));
        trackReports.push({
          id, name: track.name ?? null, kind: assignment.kind, area_code: assignment.areaCode, other_area_code: assignment.otherAreaCode,
          kept: summary.kept, dropped: summary.read - summary.kept,
        });
        for (const r of cleaned) if (r.kept) allPoints.push(r);
        for (const r of raw) if (r.time) times.push(r.time);
      }
      // A waypoint named after a village marks that village; any other belongs to the upload's area.
      const markersByArea = new Map<number | null, typeof parsed.waypoints>();
      for (const w of parsed.waypoints) {
        const code = w.name ? names.code(w.name, 'Waypoint name') : null;
        const areaId = code !== null ? known.get(code)! : (area?.id ?? null);
        markersByArea.set(areaId, [...(markersByArea.get(areaId) ?? []), w]);
      }
      for (const [areaId, waypoints] of markersByArea) await store.insertMarkers(client, uploadId, areaId, waypoints);
      allPoints.push(...parsed.waypoints);
      times.sort();
      const report: FileReport = {
        file: file.name,
        upload_id: uploadId,
        sha256: file.sha256,
        duplicate: false,
        format: parsed.format,
        version: parsed.version,
        creator: parsed.creator,
        crs: parsed.crs ?? 'EPSG:4326',
        readings: totals,
        tracks: trackReports,
        markers: parsed.waypoints.length,
        bbox: bboxOf(allPoints),
        time_span: times.length ? { start: times[0], end: times[times.length - 1] } : null,
        warnings: [...parsed.warnings, ...names.warnings()],
      };
      await store.saveReport(client, uploadId, report);
      reports.push({ id: uploadId, report });
    }
    return reports;
  });

  const uploads: store.StoredUpload[] = [];
  for (const { id } of created) uploads.push((await store.getUpload(db.pool, id))!);
  const files_: FileReport[] = [
    ...created.map((c) => c.report),
    ...earlier.map((u) => ({ ...(u.report as unknown as FileReport), duplicate: true })),
  ];
  return { created: created.length > 0, uploads: [...uploads, ...earlier], report: { files: files_ } };
}

/**
 * The villages (areas of the lowest level) that names in the files may refer to; none are
 * loaded when no track or waypoint has a name.
 */
async function villagesToMatch(db: Database, files: ParsedFile[]): Promise<(VillageCandidate & { id: number })[]> {
  const named = files.some((f) => f.tracks.some((t) => t.name) || f.waypoints.some((w) => w.name));
  if (!named) return [];
  const levels = await listLevels(db.pool);
  if (levels.length === 0) return [];
  const areas = await listAreas(db.pool, { level: levels[levels.length - 1].key, limit: 1_000_000 });
  return areas.map((a) => ({ id: a.id, code: a.code, name: a.name, name_local: a.name_local }));
}
