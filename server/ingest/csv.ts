import { UserError, type ErrorCode } from '../errors.js';
import { parseAngle, parseDecimal, parseUtmZone, resolveCrs, utmCrs, inWgs84Range, type SourceCrs } from './coords.js';
import { parseDateTime } from './gpx.js';
import { MAX_LINE_LENGTH, readLines, type ByteSource } from './lines.js';
import type { ParsedFile, ParsedTrack, ParsedWaypoint, Reading } from './readings.js';
import { clip, fmtNumber, plural, WarningTally } from './warnings.js';

export interface CsvOptions {
  /** Name of the uploaded file, used in every error and warning. */
  fileName: string;
  maxPoints: number;
  /** CRS the uploader says the coordinates are in (an upload's `crs` field), e.g. `EPSG:32648`. */
  crs?: string;
  /** Text encoding the uploader names; strict UTF-8 otherwise. */
  encoding?: string;
  maxLineLength?: number;
}

/** What a column holds. */
export type ColumnRole =
  | 'lat' | 'lon' | 'easting' | 'northing' | 'zone' | 'hemisphere'
  | 'time' | 'date' | 'ele' | 'hdop' | 'vdop' | 'pdop' | 'accuracy' | 'sat' | 'speed' | 'course' | 'fix'
  | 'name' | 'desc' | 'track' | 'segment';

/**
 * Header names per role, compared after lower-casing and dropping units in brackets, spaces and
 * punctuation ("Latitude (WGS84)" → `latitude`, "UTM_Zone" → `utmzone`). The lists are the headers
 * of Garmin BaseCamp, GPSLogger, OsmAnd, QGIS, GPS Visualizer and spreadsheet exports.
 */
const ROLE_HEADERS: Record<ColumnRole, string[]> = {
  lat: ['lat', 'latitude', 'y', 'latdd', 'latdeg', 'latwgs84', 'latitudewgs84', 'gpslat', 'gpslatitude', 'ycoord', 'latitudedeg'],
  lon: ['lon', 'lng', 'long', 'longitude', 'x', 'londd', 'londeg', 'lonwgs84', 'longitudewgs84', 'gpslon', 'gpslng', 'gpslongitude', 'xcoord', 'longitudedeg'],
  easting: ['easting', 'east', 'utmeasting', 'utme', 'eastings'],
  northing: ['northing', 'north', 'utmnorthing', 'utmn', 'northings'],
  zone: ['zone', 'utmzone', 'gridzone'],
  hemisphere: ['hemisphere', 'hemi', 'hem'],
  time: ['time', 'timestamp', 'datetime', 'dateandtime', 'utc', 'timeutc', 'utctime', 'gpstime', 'datetimeutc', 'recordedat', 'timestamputc'],
  date: ['date', 'gpsdate', 'utcdate', 'dateutc'],
  ele: ['ele', 'elevation', 'elev', 'alt', 'altitude', 'height', 'z'],
  hdop: ['hdop'],
  vdop: ['vdop'],
  pdop: ['pdop'],
  accuracy: ['accuracy', 'acc', 'horizontalaccuracy', 'hacc', 'haccuracy', 'precision', 'horizontalprecision', 'accuracym'],
  sat: ['sat', 'sats', 'satellites', 'numsats', 'numsat', 'nsat', 'nsats', 'satellitesused', 'satsused', 'satcount'],
  speed: ['speed', 'groundspeed'],
  course: ['course', 'bearing', 'heading'],
  fix: ['fix', 'fixtype'],
  name: ['name', 'label', 'waypoint', 'wpt', 'waypointname', 'title', 'placename', 'landmark'],
  desc: ['desc', 'description', 'comment', 'cmt', 'note', 'notes', 'remarks'],
  track: ['track', 'trk', 'trackname', 'trackid', 'walk'],
  segment: ['segment', 'seg', 'segmentid', 'trkseg', 'segmentno'],
};

const ROLE_BY_HEADER = new Map<string, ColumnRole>(
  (Object.entries(ROLE_HEADERS) as [ColumnRole, string[]][]).flatMap(([role, names]) => names.map((n) => [n, role] as [string, ColumnRole])),
);

/** A header cell reduced to letters and digits, units removed; the unit is kept apart. */
export function normaliseHeader(raw: string): { key: string; unit: string } {
  const s = raw.replace(/^\uFEFF/, '').trim().toLowerCase();
  const unit = /[([]\s*([^)\]]*)[)\]]/.exec(s)?.[1]?.trim() ?? '';
  return { key: s.replace(/[([][^)\]]*[)\]]/g, '').replace(/[^\p{L}\p{N}]+/gu, ''), unit };
}

/** How a file's columns map to reading fields, and how its coordinates become WGS84. */
export interface ColumnPlan {
  /** The header cells as written, for messages. */
  header: string[];
  columns: Partial<Record<ColumnRole, number>>;
  /** `geographic`: lat/lon in degrees; `projected`: easting/northing in metres with a CRS or a zone column. */
  coordinates: 'geographic' | 'projected';
  crs?: SourceCrs;
  /** Factors that bring elevation to metres and speed to m/s when the header names another unit. */
  eleFactor: number;
  speedFactor: number;
}

/**
 * Maps header cells to roles. Two columns claiming one role, or no position columns at all, is
 * a question for the mapper, never a guess: the error lists the candidates.
 */
export function resolveColumns(header: string[], fileName: string, crsName?: string): ColumnPlan {
  const claims = new Map<ColumnRole, number[]>();
  header.forEach((cell, i) => {
    const role = ROLE_BY_HEADER.get(normaliseHeader(cell).key);
    if (role !== undefined) claims.set(role, [...(claims.get(role) ?? []), i]);
  });
  const named = (i: number) => `'${clip(header[i].replace(/^\uFEFF/, '').trim())}' (column ${i + 1})`;
  for (const [role, idx] of claims) {
    if (idx.length > 1) {
      throw unresolved(fileName, `${idx.length} columns could be the ${role} column: ${idx.map(named).join(', ')}; rename all but one`, header, {
        role, candidates: idx.map((i) => header[i]),
      });
    }
  }
  const col = (role: ColumnRole) => claims.get(role)?.[0];
  const crs = crsName === undefined ? undefined : resolveCrsOrThrow(crsName, fileName);
  const columns: ColumnPlan['columns'] = {};
  for (const [role, [i]] of claims) columns[role] = i;

  const hasEN = col('easting') !== undefined || col('northing') !== undefined;
  const hasLatLon = col('lat') !== undefined || col('lon') !== undefined;
  let coordinates: ColumnPlan['coordinates'] = 'geographic';
  if (hasEN || crs?.projected) {
    coordinates = 'projected';
    if (!hasEN) {
      // With a projected crs field, x/y (or lat/lon) columns hold the easting and northing.
      columns.easting = columns.lon;
      columns.northing = columns.lat;
      delete columns.lon;
      delete columns.lat;
    } else if (hasLatLon) {
      throw unresolved(fileName, `the file has both latitude/longitude and easting/northing columns: ${[
        col('lat'), col('lon'), col('easting'), col('northing'),
      ].filter((i): i is number => i !== undefined).map(named).join(', ')}; keep one pair`, header, { role: 'position' });
    }
    for (const role of ['easting', 'northing'] as const) {
      if (columns[role] === undefined) throw unresolved(fileName, `there is no ${role} column`, header, { role });
    }
    if (crs === undefined && columns.zone === undefined) {
      throw new UserError('CRS_REQUIRED', `${fileName}: easting/northing columns need a zone column (e.g. 48N) or a crs field on the upload (e.g. EPSG:32648)`, [
        { file: fileName, columns: header.slice(0, 50) },
      ]);
    }
    if (crs !== undefined && !crs.projected) {
      throw new UserError('CRS_REQUIRED', `${fileName}: easting/northing columns hold metres, but the upload's crs ${crs.code} is in degrees; give the projected crs (e.g. EPSG:32648)`, [
        { file: fileName, crs: crs.code },
      ]);
    }
  } else {
    for (const role of ['lat', 'lon'] as const) {
      if (columns[role] === undefined) {
        const which = role === 'lat' ? 'latitude (lat, latitude, y)' : 'longitude (lon, lng, long, longitude, x)';
        throw unresolved(fileName, `no ${which} column among ${header.length} column${header.length === 1 ? '' : 's'}: ${header.slice(0, 20).map((h) => `'${clip(h.trim())}'`).join(', ')}`, header, { role });
      }
    }
  }
  const unitOf = (role: ColumnRole) => (columns[role] === undefined ? '' : normaliseHeader(header[columns[role]]).unit);
  return {
    header: header.map((h) => clip(h.replace(/^\uFEFF/, '').trim())),
    columns,
    coordinates,
    crs,
    eleFactor: /^(ft|feet|foot)$/.test(unitOf('ele')) ? 0.3048 : 1,
    speedFactor: speedFactor(unitOf('speed')),
  };
}

function speedFactor(unit: string): number {
  if (/^km\/?h|kph|kmh$/.test(unit)) return 1 / 3.6;
  if (/^(kn|kt|knots?)$/.test(unit)) return 1852 / 3600;
  if (/^mph$/.test(unit)) return 0.44704;
  return 1;
}

function unresolved(fileName: string, problem: string, header: string[], details: Record<string, unknown>): UserError {
  return new UserError('CSV_COLUMNS_UNRESOLVED', `${fileName}: ${problem}`, [{ file: fileName, ...details, header: header.slice(0, 50).map((h) => clip(h, 60)) }]);
}

function resolveCrsOrThrow(name: string, fileName: string): SourceCrs {
  const crs = resolveCrs(name);
  if (crs === null) {
    throw new UserError('CRS_UNSUPPORTED', `${fileName}: the crs '${clip(name)}' is not supported; use EPSG:4326 (WGS84 degrees), EPSG:3857 or a WGS84 UTM zone such as EPSG:32648`, [
      { file: fileName, crs: clip(name) },
    ]);
  }
  return crs;
}

const DELIMITERS = ['\t', ';', ',', '|'] as const;

/** The separator of a header line: the most frequent of tab, `;`, `,` and `|` outside quotes. */
export function detectDelimiter(header: string): string | null {
  const counts = new Map<string, number>(DELIMITERS.map((d) => [d, 0]));
  let quoted = false;
  for (const ch of header) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && counts.has(ch)) counts.set(ch, counts.get(ch)! + 1);
  }
  let best: string | null = null;
  for (const d of DELIMITERS) if (counts.get(d)! > (best === null ? 0 : counts.get(best)!)) best = d;
  return best;
}

/**
 * One line split into fields, RFC 4180 quoting (`""` inside quotes is a quote). A field cannot
 * span lines: a quote still open at the end of the line is reported, not joined with the next
 * row, because a joined row silently shifts every column after it.
 */
export function splitRow(line: string, delimiter: string): string[] | 'unterminated-quote' | 'stray-quote' {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    if (line.charCodeAt(i) === 34) {
      let value = '';
      let j = i + 1;
      for (;;) {
        const q = line.indexOf('"', j);
        if (q < 0) return 'unterminated-quote';
        value += line.slice(j, q);
        if (line.charCodeAt(q + 1) === 34) {
          value += '"';
          j = q + 2;
          continue;
        }
        j = q + 1;
        break;
      }
      // Spaces after a closing quote are tolerated (`"a" ,b`); anything else is not a field.
      while (line[j] === ' ') j++;
      if (j < line.length && line[j] !== delimiter) return 'stray-quote';
      fields.push(value);
      if (j >= line.length) return fields;
      i = j + 1;
    } else {
      const next = line.indexOf(delimiter, i);
      const end = next < 0 ? line.length : next;
      fields.push(line.slice(i, end));
      if (next < 0) return fields;
      i = next + 1;
    }
  }
}

/** One data row read into a reading, before tracks and waypoints are formed. */
interface Row {
  line: number;
  reading: Reading;
  name?: string;
  desc?: string;
  track?: string;
  segment?: string;
}

/**
 * Reads a CSV or TSV of GPS readings (or of named points), streamed line by line. Rows become
 * one track's readings, several tracks when a track column names them, or waypoints when the
 * file is a list of named points (a name on every row and no track column). Errors name the
 * file and the row as an editor numbers it (the header is row 1).
 */
export async function parseCsv(input: ByteSource, opts: CsvOptions): Promise<ParsedFile> {
  const file = opts.fileName;
  const warnings = new WarningTally();
  let header: string[] | null = null;
  let delimiter = ',';
  let plan: ColumnPlan | null = null;
  let lineNo = 0;
  const rows: Row[] = [];
  const zones = new Map<string, SourceCrs>();
  let named = 0;
  for await (const line of readLines(input, { fileName: file, encoding: opts.encoding, maxLineLength: opts.maxLineLength ?? MAX_LINE_LENGTH })) {
    lineNo++;
    if (line.trim() === '') continue;
    if (header === null) {
      if (line.startsWith('#')) continue; // loggers' comment lines before the header
      const d = detectDelimiter(line);
      if (d === null) {
        throw new UserError('UNSUPPORTED_FILE_TYPE', `${file}: line ${fmtNumber(lineNo)} has no comma, semicolon or tab; this is plain text, not a table of GPS readings`, [
          { file, line: lineNo, detected: 'plain text' },
        ]);
      }
      delimiter = d;
      header = fieldsOf(line, delimiter, lineNo, file);
      checkHeaderIsNames(header, file);
      plan = resolveColumns(header, file, opts.crs);
      continue;
    }
    const fields = fieldsOf(line, delimiter, lineNo, file);
    if (fields.length !== header.length) {
      if (fields.every((f) => f.trim() === '')) continue; // a row of empty cells, as spreadsheets write
      throw new UserError('CSV_MALFORMED', `${file}: Row ${fmtNumber(lineNo)}: expected ${header.length} fields, found ${fields.length}`, [
        { file, row: lineNo, expected: header.length, found: fields.length },
      ]);
    }
    if (rows.length >= opts.maxPoints) {
      throw new UserError('TOO_MANY_POINTS', `${file}: more than ${fmtNumber(opts.maxPoints)} rows (stopped at row ${fmtNumber(lineNo)}); split the file`, [
        { file, row: lineNo, limit: opts.maxPoints },
      ]);
    }
    const row = readRow(fields, plan as ColumnPlan, { file, line: lineNo, seq: rows.length, warnings, zones });
    if (row.name !== undefined) named++;
    rows.push(row);
  }
  if (header === null || rows.length === 0) {
    throw new UserError('NO_POINTS', `${file}: no rows of readings found${header === null ? '' : ' below the header'}`, [{ file }]);
  }
  const p = plan as ColumnPlan;
  const pointList = p.columns.name !== undefined && p.columns.track === undefined && named === rows.length;
  const parsed: ParsedFile = {
    format: 'csv',
    tracks: pointList ? [] : toTracks(rows),
    waypoints: pointList ? rows.map(toWaypoint) : [],
    pointCount: rows.length,
    warnings: [],
  };
  if (!pointList && named > 0 && p.columns.track === undefined) {
    warnings.say('names-ignored', `${plural(named, 'row has a name', 'rows have names')} but not every row does, so the rows were read as one track and the names were not made into markers`);
  }
  const crs = p.crs?.code ?? (zones.size > 0 ? [...zones.values()].map((z) => z.code).join(', ') : undefined);
  if (crs !== undefined && crs !== 'EPSG:4326') parsed.crs = crs;
  parsed.warnings = warnings.list();
  return parsed;
}

function fieldsOf(line: string, delimiter: string, lineNo: number, file: string): string[] {
  const fields = splitRow(line, delimiter);
  if (fields === 'unterminated-quote' || fields === 'stray-quote') {
    const problem = fields === 'unterminated-quote'
      ? 'a quoted field is not closed on its line (fields cannot span lines)'
      : 'text follows a closing quote inside a field';
    throw new UserError('CSV_MALFORMED', `${file}: Row ${fmtNumber(lineNo)}: ${problem}`, [{ file, row: lineNo, problem: fields }]);
  }
  return fields;
}

/** A first row of numbers or coordinates is data, not a header: never guess what its columns are. */
function checkHeaderIsNames(header: string[], file: string): void {
  const looksLikeValue = (cell: string) => parseDecimal(cell) !== undefined || parseAngle(cell, 'lat').ok || parseAngle(cell, 'lon').ok;
  const values = header.filter((h) => h.trim() !== '' && looksLikeValue(h));
  if (values.length >= 2 && values.length >= header.length / 2) {
    throw unresolved(file, `the first row holds values (${values.slice(0, 3).map((v) => `'${clip(v.trim())}'`).join(', ')}), not column names; add a header row such as lat,lon,time`, header, { role: 'header' });
  }
}

interface RowContext {
  file: string;
  line: number;
  seq: number;
  warnings: WarningTally;
  zones: Map<string, SourceCrs>;
}

function readRow(fields: string[], plan: ColumnPlan, ctx: RowContext): Row {
  const c = plan.columns;
  const cell = (i: number | undefined) => (i === undefined ? '' : fields[i].trim());
  const [lon, lat] = plan.coordinates === 'geographic'
    ? geographicPosition(cell(c.lat), cell(c.lon), plan, ctx)
    : projectedPosition(cell(c.easting), cell(c.northing), rowCrs(plan, cell(c.zone), cell(c.hemisphere), ctx), ctx);
  const reading: Reading = { seq: ctx.seq, lon, lat };
  const num = (role: 'ele' | 'hdop' | 'vdop' | 'pdop' | 'accuracy' | 'sat' | 'speed' | 'course', factor = 1) => {
    const text = cell(c[role]);
    if (text === '') return;
    const v = parseDecimal(text);
    if (v === undefined || !Number.isFinite(v)) {
      ctx.warnings.note(`number-${role}`, `first at row ${fmtNumber(ctx.line)}: '${clip(text)}'`, (n, where) =>
        `${plural(n, `${role} value was`, `${role} values were`)} not a number and ignored (${where})`);
      return;
    }
    reading[role] = v * factor;
  };
  num('ele', plan.eleFactor);
  num('hdop');
  num('vdop');
  num('pdop');
  num('accuracy');
  num('sat');
  num('speed', plan.speedFactor);
  num('course');
  const fix = cell(c.fix).toLowerCase();
  if (fix !== '') reading.fix = fix;
  const time = readTime(cell(c.time), cell(c.date), c.date !== undefined, ctx);
  if (time !== undefined) reading.time = time;
  const row: Row = { line: ctx.line, reading };
  const name = cell(c.name);
  if (name !== '') row.name = name;
  const desc = cell(c.desc);
  if (desc !== '') row.desc = desc;
  if (c.track !== undefined) row.track = cell(c.track);
  if (c.segment !== undefined) row.segment = cell(c.segment);
  return row;
}

function geographicPosition(latText: string, lonText: string, plan: ColumnPlan, ctx: RowContext): [number, number] {
  const lat = angle(latText, 'lat', plan.header[plan.columns.lat!], ctx);
  return [angle(lonText, 'lon', plan.header[plan.columns.lon!], ctx), lat];
}

const ANGLE_HELP = "write decimal degrees (15.4101), degrees-minutes-seconds (15°24'36.4\"N) or degrees-minutes (N15 24.606)";

function angle(text: string, axis: 'lat' | 'lon', label: string, ctx: RowContext): number {
  const result = parseAngle(text, axis);
  if (result.ok) return result.value;
  const where = `${ctx.file}: Row ${fmtNumber(ctx.line)}`;
  const details = { file: ctx.file, row: ctx.line, column: label, value: clip(text) };
  const fail = (code: ErrorCode, message: string, extra: Record<string, unknown> = {}): never => {
    throw new UserError(code, `${where}: ${message}`, [{ ...details, ...extra }]);
  };
  switch (result.problem) {
    case 'empty':
      return fail('BAD_COORDINATE', `${label} is empty`);
    case 'not-finite':
      return fail('NON_FINITE_COORDINATE', `${label} '${clip(text)}' is not a finite number`);
    case 'wrong-hemisphere':
      return fail('BAD_COORDINATE', `${label} '${clip(text)}' carries an ${axis === 'lat' ? 'E/W' : 'N/S'} letter; are the latitude and longitude columns swapped?`);
    case 'out-of-range': {
      const v = parseDecimal(text);
      const metres = v !== undefined && Math.abs(v) > 1000;
      return fail(
        'COORDINATE_OUT_OF_RANGE',
        `${label} ${clip(text)} is outside ${axis === 'lat' ? '-90 to 90' : '-180 to 180'}${metres
          ? '; the values look like metres (projected coordinates): give the upload a crs field such as EPSG:32648, or name the columns easting, northing and zone'
          : ''}`,
        metres ? { hint: 'LOOKS_PROJECTED_SPECIFY_CRS' } : {},
      );
    }
    default:
      return fail('BAD_COORDINATE', `${label} '${clip(text)}' is not a coordinate; ${ANGLE_HELP}`);
  }
}

/** The CRS of one row: the upload's, or the UTM zone its zone (and hemisphere) columns name. */
function rowCrs(plan: ColumnPlan, zoneText: string, hemisphereText: string, ctx: RowContext): SourceCrs {
  if (plan.crs !== undefined) return plan.crs;
  const key = `${zoneText}|${hemisphereText}`;
  const known = ctx.zones.get(key);
  if (known !== undefined) return known;
  const zone = parseUtmZone(zoneText);
  const hemisphere = hemisphereText.toUpperCase();
  if (zone === null || (hemisphere !== '' && !/^(N|S|NORTH|SOUTH)$/.test(hemisphere))) {
    throw new UserError('BAD_COORDINATE', `${ctx.file}: Row ${fmtNumber(ctx.line)}: UTM zone '${clip(zoneText)}${hemisphereText ? ` ${clip(hemisphereText)}` : ''}' is not a zone (write e.g. 48N, 48 or 48Q)`, [
      { file: ctx.file, row: ctx.line, column: 'zone', value: clip(zoneText) },
    ]);
  }
  let south = zone.south;
  if (hemisphere !== '') south = hemisphere.startsWith('S');
  if (south === undefined) {
    south = false;
    ctx.warnings.say('zone-north', `UTM zones were given without a hemisphere (first at row ${fmtNumber(ctx.line)}: '${clip(zoneText)}') and read as northern`);
  }
  const crs = utmCrs(zone.zone, south) as SourceCrs;
  ctx.zones.set(key, crs);
  return crs;
}

function projectedPosition(eText: string, nText: string, crs: SourceCrs, ctx: RowContext): [number, number] {
  const where = `${ctx.file}: Row ${fmtNumber(ctx.line)}`;
  const value = (text: string, label: string): number => {
    const v = parseDecimal(text);
    const details = [{ file: ctx.file, row: ctx.line, column: label, value: clip(text) }];
    if (text === '') throw new UserError('BAD_COORDINATE', `${where}: ${label} is empty`, details);
    if (v === undefined) throw new UserError('BAD_COORDINATE', `${where}: ${label} '${clip(text)}' is not a number of metres`, details);
    if (!Number.isFinite(v)) throw new UserError('NON_FINITE_COORDINATE', `${where}: ${label} '${clip(text)}' is not a finite number`, details);
    return v;
  };
  const e = value(eText, 'easting');
  const n = value(nText, 'northing');
  const details = [{ file: ctx.file, row: ctx.line, easting: e, northing: n, crs: crs.code }];
  if (Math.abs(e) <= 180 && Math.abs(n) <= 90) {
    throw new UserError('COORDINATE_OUT_OF_RANGE', `${where}: easting ${e}, northing ${n} look like degrees, not metres in ${crs.code}; leave the crs out for latitude/longitude`, details);
  }
  const [lon, lat] = crs.toWgs84(e, n);
  if (!inWgs84Range(lon, lat)) {
    throw new UserError('COORDINATE_OUT_OF_RANGE', `${where}: easting ${e}, northing ${n} are not a position on Earth in ${crs.code}`, details);
  }
  return [lon, lat];
}

/**
 * A row's time from a date-time column, or a date column plus a time column. Besides ISO 8601:
 * `2024/01/31`, day-first `31/01/2024` and `31.01.2024` (the order Lao and European offices
 * write), single-digit hours, and Unix epoch seconds or milliseconds. Unreadable times are
 * warned about and left out; they never stop the upload.
 */
function readTime(timeText: string, dateText: string, hasDateColumn: boolean, ctx: RowContext): string | undefined {
  if (timeText === '' && dateText === '') return undefined;
  if (/^\d{10}(\d{3})?(\.\d+)?$/.test(timeText) && dateText === '') {
    const ms = Number(timeText) * (timeText.replace(/\..*/, '').length === 10 ? 1000 : 1);
    return new Date(ms).toISOString();
  }
  const combined = hasDateColumn ? `${dateText} ${timeText}`.trim() : timeText;
  const iso = isoDateTime(combined, ctx);
  const parsed = iso === null ? null : parseDateTime(iso);
  if (parsed === null) {
    const onlyClock = !hasDateColumn && /^\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(timeText);
    ctx.warnings.note(onlyClock ? 'time-without-date' : 'unreadable-time', `first at row ${fmtNumber(ctx.line)}: '${clip(combined)}'`, (n, where) => onlyClock
      ? `${plural(n, 'time has', 'times have')} no date and ${n === 1 ? 'was' : 'were'} left out; add a date column (${where})`
      : `${plural(n, 'time was', 'times were')} unreadable and ignored (${where})`);
    return undefined;
  }
  if (!parsed.zoned) {
    ctx.warnings.note('time-without-zone', `first at row ${fmtNumber(ctx.line)}: '${clip(combined)}'`, (n, where) =>
      `${plural(n, 'time has', 'times have')} no time zone and ${n === 1 ? 'was' : 'were'} read as UTC (${where})`);
  }
  return parsed.iso;
}

const YEAR_FIRST = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[T ]+(\d{1,2})(:\d{2}.*))?$/;
const DAY_FIRST = /^(\d{1,2})[/.](\d{1,2})[/.](\d{4})(?:[T ]+(\d{1,2})(:\d{2}.*))?$/;

/** A date-time in the forms `readTime` accepts, rewritten as ISO 8601 for `parseDateTime`. */
function isoDateTime(s: string, ctx: RowContext): string | null {
  let y: string, mo: string, d: string, h: string | undefined, rest: string | undefined;
  const ymd = YEAR_FIRST.exec(s);
  if (ymd !== null) {
    [, y, mo, d, h, rest] = ymd;
  } else {
    const dmy = DAY_FIRST.exec(s);
    if (dmy === null) return null;
    [, d, mo, y, h, rest] = dmy;
    if (Number(d) <= 12 && Number(mo) <= 12 && d !== mo) {
      ctx.warnings.say('day-first', `dates such as '${clip(s.split(/[T ]/)[0])}' were read day first (day/month/year)`);
    }
  }
  const date = `${y}-${mo.padStart(2, '0')}-${d.padStart(2, '0')}`;
  return h === undefined ? `${date}T00:00:00Z` : `${date}T${h.padStart(2, '0')}${rest}`;
}

function toWaypoint(row: Row): ParsedWaypoint {
  const { lon, lat, ele, time } = row.reading;
  const w: ParsedWaypoint = { lon, lat };
  if (row.name !== undefined) w.name = row.name;
  if (row.desc !== undefined) w.desc = row.desc;
  if (ele !== undefined) w.ele = ele;
  if (time !== undefined) w.time = time;
  return w;
}

/** Rows into tracks: one, or one per value of the track column; a new segment where the segment column changes. */
function toTracks(rows: Row[]): ParsedTrack[] {
  const tracks = new Map<string, { track: ParsedTrack; segment: string | undefined }>();
  for (const row of rows) {
    const key = row.track ?? '';
    let entry = tracks.get(key);
    if (entry === undefined) {
      const track: ParsedTrack = { kind: 'track', segments: [[]] };
      if (key !== '') track.name = key;
      entry = { track, segment: row.segment };
      tracks.set(key, entry);
    } else if (row.segment !== entry.segment) {
      entry.track.segments.push([]);
      entry.segment = row.segment;
    }
    entry.track.segments[entry.track.segments.length - 1].push(row.reading);
  }
  return [...tracks.values()].map((e) => e.track);
}
