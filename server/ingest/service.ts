import type { PoolClient } from 'pg';
import type { Database, Queryable } from '../db/database.js';
import { withTransaction } from '../db/database.js';
import { UserError } from '../errors.js';
import { getArea, listAreas, listLevels } from '../areas/store.js';
import { cleanSegment, KEPT, summariseVerdicts, type CleanedSegment, type CleaningOptions } from './clean.js';
import { filePreview, type UploadPreview } from './preview.js';
import { ReadingColumns, type ParsedFile, type ParsedTrack, type ParsedWaypoint, type Reading, type ReadingSegment } from './readings.js';
import type { ReceivedFile } from './receive.js';
import { parseInSandbox, type ParseLimits } from './sandbox.js';
import { assignTrack, candidateCodes, VillageNames, type TrackAssignment } from './assign.js';
import type { VillageCandidate } from './match.js';
import * as store from './store.js';
import { DISTANT_TRACK_M, distantTrackWarning, nearestDistanceM } from './warnings.js';

export interface IngestOptions {
  area: string | null;
  actor: string | null;
  maxPoints: number;
  cleaning: Partial<CleaningOptions>;
  /** CRS and text encoding the uploader says the files are in, overriding what they say. */
  crs?: string;
  encoding?: string;
  /** Limits of the thread each file is read in (sandbox.ts); PARSE_DEFAULTS for those not given. */
  parse?: Partial<ParseLimits>;
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

/** A file's report in a dry run: what it would become, with no database ids yet. */
export type PreviewFileReport = Omit<FileReport, 'upload_id' | 'tracks'> & {
  upload_id: null;
  tracks: (Omit<FileReport['tracks'][number], 'id'> & { id: null })[];
};

export interface IngestResult {
  created: boolean;
  uploads: store.StoredUpload[];
  report: { files: FileReport[] };
}

export interface UploadPreviewResult {
  /** Earlier uploads of the same bytes, which a real upload would answer with. */
  uploads: store.StoredUpload[];
  report: { files: (PreviewFileReport | FileReport)[] };
  preview: UploadPreview;
}

/** The report's bounding box and time span, gathered one reading at a time (no list of a million points or times). */
class Extent {
  private w = Infinity;
  private s = Infinity;
  private e = -Infinity;
  private n = -Infinity;
  private start: string | null = null;
  private end: string | null = null;

  point(lon: number, lat: number): void {
    if (lon < this.w) this.w = lon;
    if (lon > this.e) this.e = lon;
    if (lat < this.s) this.s = lat;
    if (lat > this.n) this.n = lat;
  }

  /** ISO 8601 UTC times compare as text, as sorting them did. */
  time(t: string | undefined): void {
    if (!t) return;
    if (this.start === null || t < this.start) this.start = t;
    if (this.end === null || t > this.end) this.end = t;
  }

  /** Kept readings are in the box; every reading's time is in the span. */
  segment({ readings, verdicts }: CleanedSegment): void {
    if (readings instanceof ReadingColumns) {
      for (let i = 0; i < verdicts.length; i++) if (verdicts[i] === KEPT) this.point(readings.lon(i), readings.lat(i));
      const span = readings.timeSpan();
      if (span !== null) [span.start, span.end].forEach((t) => this.time(t));
      return;
    }
    const list = readings as readonly Reading[];
    for (let i = 0; i < verdicts.length; i++) {
      if (verdicts[i] === KEPT) this.point(list[i].lon, list[i].lat);
      this.time(list[i].time);
    }
  }

  bbox(): [number, number, number, number] | null {
    return this.w === Infinity ? null : [this.w, this.s, this.e, this.n];
  }

  timeSpan(): { start: string; end: string } | null {
    return this.start !== null && this.end !== null ? { start: this.start, end: this.end } : null;
  }
}

/** The kept readings of a track's segments, one at a time (no list of a million points). */
function* keptOf(segments: readonly CleanedSegment[]): Generator<{ lon: number; lat: number }> {
  for (const { readings, verdicts } of segments) {
    for (let i = 0; i < verdicts.length; i++) {
      if (verdicts[i] !== KEPT) continue;
      yield readings instanceof ReadingColumns ? { lon: readings.lon(i), lat: readings.lat(i) } : (readings as readonly Reading[])[i];
    }
  }
}

/** One track read and cleaned, with what it was walked for: ready to store or to preview. */
interface PlannedTrack {
  track: ParsedTrack<ReadingSegment>;
  /** The segments as read, with one cleaning verdict per reading (no cleaned copies). */
  segments: CleanedSegment[];
  summary: ReturnType<typeof summariseVerdicts>;
  assignment: TrackAssignment;
}

/** One file as it would be stored: its tracks, its waypoints by area, and its report without database ids. */
interface PlannedFile {
  file: ReceivedFile;
  parsed: ParsedFile<ReadingSegment>;
  tracks: PlannedTrack[];
  markersByArea: Map<number | null, ParsedWaypoint[]>;
  report: Omit<FileReport, 'upload_id' | 'tracks'> & { tracks: Omit<FileReport['tracks'][number], 'id'>[] };
}

/**
 * Everything an upload would store, worked out without touching the database: cleaning,
 * track assignment, markers, the report. Ingest writes it; a dry run shows it.
 */
function planFile(
  file: ReceivedFile,
  parsed: ParsedFile<ReadingSegment>,
  names: VillageNames,
  known: ReadonlyMap<string, number>,
  area: { id: number; code: string } | null,
  cleaning: Partial<CleaningOptions>,
  places: ReadonlyMap<number, { code: string; name: string; lon: number; lat: number }>,
): PlannedFile {
  const totals = { read: 0, kept: 0, dropped: {} as Record<string, number> };
  const tracks: PlannedTrack[] = [];
  const extent = new Extent();
  const distant: string[] = [];
  for (const track of parsed.tracks) {
    const segments = track.segments.map((readings) => ({ readings, verdicts: cleanSegment(readings, cleaning) }));
    const summary = summariseVerdicts(segments.map((s) => s.verdicts));
    totals.read += summary.read;
    totals.kept += summary.kept;
    for (const [reason, n] of Object.entries(summary.dropped)) {
      if (n > 0) totals.dropped[reason] = (totals.dropped[reason] ?? 0) + n;
    }
    const assignment = assignTrack(track, (n) => names.code(n, 'Track name'), area?.code ?? null);
    tracks.push({ track, segments, summary, assignment });
    for (const segment of segments) extent.segment(segment);
    const place = assignment.areaCode ? places.get(known.get(assignment.areaCode)!) : undefined;
    const nearest = place ? nearestDistanceM(keptOf(segments), place) : null;
    if (place && nearest !== null && nearest > DISTANT_TRACK_M) distant.push(distantTrackWarning(track.name ?? null, nearest / 1000, place));
  }
  // A waypoint named after a village marks that village; any other belongs to the upload's area.
  const markersByArea = new Map<number | null, ParsedWaypoint[]>();
  for (const w of parsed.waypoints) {
    const code = w.name ? names.code(w.name, 'Waypoint name') : null;
    const areaId = code !== null ? known.get(code)! : (area?.id ?? null);
    markersByArea.set(areaId, [...(markersByArea.get(areaId) ?? []), w]);
  }
  for (const w of parsed.waypoints) extent.point(w.lon, w.lat);
  return {
    file, parsed, tracks, markersByArea,
    report: {
      file: file.name,
      sha256: file.sha256,
      duplicate: false,
      format: parsed.format,
      version: parsed.version,
      creator: parsed.creator,
      crs: parsed.crs ?? 'EPSG:4326',
      readings: totals,
      tracks: tracks.map(({ track, summary, assignment }) => ({
        name: track.name ?? null, kind: assignment.kind, area_code: assignment.areaCode, other_area_code: assignment.otherAreaCode,
        kept: summary.kept, dropped: summary.read - summary.kept,
      })),
      markers: parsed.waypoints.length,
      bbox: extent.bbox(),
      time_span: extent.timeSpan(),
      warnings: [...parsed.warnings, ...names.warnings(), ...distant],
    },
  };
}

/** The files of an upload read, cleaned and planned; earlier uploads of the same bytes apart. */
interface PreparedUpload {
  area: { id: number; code: string } | null;
  planned: PlannedFile[];
  earlier: store.StoredUpload[];
  earlierReports: FileReport[];
  known: ReadonlyMap<string, number>;
}

/** The files of an upload not stored before (each once), the earlier uploads of the others, and the upload's area. */
async function freshFiles(db: Database, files: ReceivedFile[], opts: IngestOptions) {
  const area = opts.area ? await getArea(db.pool, opts.area) : null;
  if (opts.area && !area) {
    throw new UserError('VALIDATION_FAILED', `The upload names area '${opts.area}', which does not exist.`, [{ field: 'area', value: opts.area }]);
  }
  const fresh: ReceivedFile[] = [];
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
    fresh.push(file);
  }
  return { area, fresh, earlier };
}

function parseOptions(opts: IngestOptions) {
  return { maxPoints: opts.maxPoints, crs: opts.crs, encoding: opts.encoding };
}

/**
 * The parsed files cleaned and planned, with the areas their names refer to; `db` is the
 * upload's transaction when there is one, so planning never waits for a second connection.
 */
async function planFiles(
  db: Queryable,
  fresh: { file: ReceivedFile; parsed: ParsedFile<ReadingSegment> }[],
  area: { id: number; code: string } | null,
  opts: IngestOptions,
): Promise<{ planned: PlannedFile[]; known: ReadonlyMap<string, number> }> {
  const codes = candidateCodes(fresh.flatMap(({ parsed }) => parsed.tracks.map((t) => t.name)));
  const known = await store.areaIdsByCode(db, codes);
  if (area) known.set(area.code, area.id);
  const knownCodes = new Set(known.keys());
  const villages = await villagesToMatch(db, fresh.map((f) => f.parsed));
  for (const v of villages) known.set(v.code, v.id);
  const places = await store.areaPlaces(db, [...new Set(known.values())]);
  const planned = fresh.map(({ file, parsed }) => planFile(file, parsed, new VillageNames(knownCodes, villages), known, area, opts.cleaning, places));
  return { planned, known };
}

async function prepareUpload(db: Database, files: ReceivedFile[], opts: IngestOptions): Promise<PreparedUpload> {
  const { area, fresh, earlier } = await freshFiles(db, files, opts);
  const parsed: { file: ReceivedFile; parsed: ParsedFile<ReadingSegment> }[] = [];
  for (const file of fresh) parsed.push({ file, parsed: await parseInSandbox(file, parseOptions(opts), opts.parse) });
  const { planned, known } = await planFiles(db.pool, parsed, area, opts);
  return { area, planned, earlier, earlierReports: earlierReportsOf(earlier), known };
}

function earlierReportsOf(earlier: store.StoredUpload[]): FileReport[] {
  return earlier.map((u) => ({ ...(u.report as unknown as FileReport), duplicate: true }));
}

/**
 * What an upload would make, with nothing stored: each file's report (no database ids yet)
 * and a map preview of its tracks as read and as cleaned. Files uploaded before are answered
 * with their stored report, as in a real upload.
 */
export async function previewFiles(db: Database, files: ReceivedFile[], opts: IngestOptions): Promise<UploadPreviewResult> {
  const { planned, earlier, earlierReports } = await prepareUpload(db, files, opts);
  const preview: UploadPreview = {
    type: 'FeatureCollection',
    features: planned.flatMap((p) => filePreview(p.file.name, p.tracks.map((t) => ({ name: t.track.name, segments: t.segments })), p.parsed.waypoints)),
  };
  const reports = planned.map((p) => ({ ...p.report, upload_id: null, tracks: p.report.tracks.map((t) => ({ ...t, id: null })) }));
  return { uploads: earlier, report: { files: [...reports, ...earlierReports] }, preview };
}

/**
 * Ingest the files of one upload in one transaction, so a bad file leaves nothing behind. Files
 * whose bytes were uploaded before are answered with the earlier upload and stored again never.
 * On a PostgreSQL server the readings are stored while their file is read (streamIngest); the
 * embedded database reads and cleans everything first, then writes.
 */
export async function ingestFiles(db: Database, files: ReceivedFile[], opts: IngestOptions): Promise<IngestResult> {
  if (db.kind === 'server') return streamIngest(db, files, opts);
  const { area, planned, earlier, earlierReports, known } = await prepareUpload(db, files, opts);
  const created = await withTransaction(db.pool, async (client) => {
    const reports: { id: string; report: FileReport }[] = [];
    for (const p of planned) {
      const uploadId = await store.insertUpload(client, {
        filename: p.file.name, sha256: p.file.sha256, size: p.file.size, kind: p.parsed.format, crs: p.report.crs, areaId: area?.id ?? null, actor: opts.actor,
      });
      const trackIds: number[] = [];
      for (const { track, segments, assignment } of p.tracks) {
        trackIds.push(await store.insertTrack(client, { uploadId, ...trackRow(track, segments, assignment, known) }));
      }
      reports.push(await finishFile(client, p, uploadId, trackIds));
    }
    return reports;
  });
  return ingestResult(db, created, earlier, earlierReports);
}

/**
 * Ingest on a PostgreSQL server, where parsing (a sandbox thread), encoding COPY (this thread)
 * and storing (the server) run side by side: in the transaction, each file's readings go to the
 * server by COPY as the parsing thread hands them over, with the verdicts of the per-fix checks; once every file is read, the tracks are
 * cleaned and planned as in the embedded path, then completed, and the few readings the
 * sequence checks dropped are amended. The rows stored are the ones the embedded path stores.
 */
async function streamIngest(db: Database, files: ReceivedFile[], opts: IngestOptions): Promise<IngestResult> {
  const { area, fresh, earlier } = await freshFiles(db, files, opts);
  const created = await withTransaction(db.pool, async (client) => {
    const read: { file: ReceivedFile; parsed: ParsedFile<ReadingSegment>; uploadId: string; trackIds: ReadonlyMap<ParsedTrack<ReadingSegment>, number> }[] = [];
    for (const file of fresh) {
      const sink = new store.StreamedReadings(
        client,
        { filename: file.name, sha256: file.sha256, size: file.size, areaId: area?.id ?? null, actor: opts.actor },
        opts.cleaning,
      );
      try {
        const parsed = await parseInSandbox(file, parseOptions(opts), opts.parse, (progress) => sink.take(progress));
        read.push({ file, parsed, ...(await sink.finish(parsed)) });
      } catch (err) {
        await sink.abort(err);
        throw err;
      }
    }
    const { planned, known } = await planFiles(client, read, area, opts);
    const reports: { id: string; report: FileReport }[] = [];
    for (const [k, p] of planned.entries()) {
      const { uploadId, trackIds } = read[k];
      const ids: number[] = [];
      for (const { track, segments, assignment } of p.tracks) {
        const id = trackIds.get(track)!;
        await store.completeTrack(client, id, trackRow(track, segments, assignment, known), opts.cleaning);
        ids.push(id);
      }
      reports.push(await finishFile(client, p, uploadId, ids));
    }
    return reports;
  });
  return ingestResult(db, created, earlier, earlierReportsOf(earlier));
}

/** A planned track's row, apart from its upload. */
function trackRow(track: ParsedTrack<ReadingSegment>, segments: CleanedSegment[], assignment: TrackAssignment, known: ReadonlyMap<string, number>): Omit<store.NewTrack, 'uploadId'> {
  return {
    areaId: assignment.areaCode ? known.get(assignment.areaCode)! : null,
    otherAreaId: assignment.otherAreaCode ? known.get(assignment.otherAreaCode)! : null,
    name: track.name ?? null,
    description: track.desc ?? null,
    kind: assignment.kind,
    segments,
  };
}

/** A file's markers and report, once its tracks are stored. */
async function finishFile(client: PoolClient, p: PlannedFile, uploadId: string, trackIds: number[]): Promise<{ id: string; report: FileReport }> {
  for (const [areaId, waypoints] of p.markersByArea) await store.insertMarkers(client, uploadId, areaId, waypoints);
  const report: FileReport = { ...p.report, upload_id: uploadId, tracks: p.report.tracks.map((t, i) => ({ ...t, id: trackIds[i] })) };
  await store.saveReport(client, uploadId, report);
  return { id: uploadId, report };
}

async function ingestResult(db: Database, created: { id: string; report: FileReport }[], earlier: store.StoredUpload[], earlierReports: FileReport[]): Promise<IngestResult> {
  const uploads: store.StoredUpload[] = [];
  for (const { id } of created) uploads.push((await store.getUpload(db.pool, id))!);
  return { created: created.length > 0, uploads: [...uploads, ...earlier], report: { files: [...created.map((c) => c.report), ...earlierReports] } };
}

/**
 * The villages (areas of the lowest level) that names in the files may refer to; none are
 * loaded when no track or waypoint has a name.
 */
async function villagesToMatch(db: Queryable, files: ParsedFile<ReadingSegment>[]): Promise<(VillageCandidate & { id: number })[]> {
  const named = files.some((f) => f.tracks.some((t) => t.name) || f.waypoints.some((w) => w.name));
  if (!named) return [];
  const levels = await listLevels(db);
  if (levels.length === 0) return [];
  const areas = await listAreas(db, { level: levels[levels.length - 1].key, limit: 1_000_000 });
  return areas.map((a) => ({ id: a.id, code: a.code, name: a.name, name_local: a.name_local }));
}
