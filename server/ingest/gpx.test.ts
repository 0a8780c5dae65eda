import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { UserError } from '../errors.js';
import { parseDateTime, parseGpx, type GpxOptions } from './gpx.js';
import { createRng } from '../../scripts/fixtures/random.js';
import { ReadingColumns, type ParsedFile, type Reading, type ReadingSegment } from './readings.js';

const TESTDATA = fileURLToPath(new URL('./testdata/', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

function parseTestFile(name: string, opts: Partial<GpxOptions> = {}): Promise<ParsedFile> {
  return parseGpx(fs.createReadStream(path.join(TESTDATA, name)), { fileName: name, ...opts });
}

function parseText(xml: string, opts: Partial<GpxOptions> = {}): Promise<ParsedFile> {
  async function* chunks() {
    yield Buffer.from(xml);
  }
  return parseGpx(chunks(), { fileName: 'test.gpx', ...opts });
}

/** The UserError a parse was refused with; fails the test if it succeeded or threw anything else. */
async function refusal(parsing: Promise<unknown>): Promise<UserError> {
  const outcome = await parsing.then(
    () => null,
    (e: unknown) => e,
  );
  expect(outcome).toBeInstanceOf(UserError);
  return outcome as UserError;
}

function readings(file: ParsedFile): Reading[] {
  return file.tracks.flatMap((t) => t.segments.flat());
}

/** A parsed file with its segments as arrays of readings, however the reader held them. */
function plain(parsed: ParsedFile<ReadingSegment>): ParsedFile {
  return { ...parsed, tracks: parsed.tracks.map((t) => ({ ...t, segments: t.segments.map((s) => Array.from(s)) })) };
}

const gpx = (body: string) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<gpx version="1.1" creator="test" xmlns="http://www.topografix.com/GPX/1/1">\n${body}\n</gpx>\n`;

describe('parseGpx: reading GPX 1.1', () => {
  it('reads metadata, waypoints, routes and a track with several segments in file order', async () => {
    const file = await parseTestFile('kumban-walk-1.1.gpx');
    expect(file).toMatchObject({
      format: 'gpx',
      version: '1.1',
      creator: 'eTrex 32x',
      name: 'Nongbone survey',
      desc: 'Xaythany district, kumban 3',
      pointCount: 7,
    });
    expect(file.waypoints).toEqual([
      {
        name: 'Big tamarind tree',
        desc: 'North-east corner <agreed with Ban Kham>',
        sym: 'Flag, Green',
        lon: 102.6102,
        lat: 17.9701,
        ele: 171.5,
        time: '2024-02-01T01:15:00.000Z',
      },
      { name: 'Stream junction', lon: 102.605, lat: 17.9655 },
    ]);
    expect(file.tracks.map((t) => [t.kind, t.name, t.desc, t.segments.map((s) => s.length)])).toEqual([
      ['route', 'Planned perimeter', undefined, [2]],
      ['track', 'NB-perimeter', 'Walked with the village chief', [2, 1]],
    ]);
    expect(readings(file).map((r) => r.seq)).toEqual([0, 1, 2, 3, 4]);
  });

  it('keeps every GPX point field and vendor extensions, numeric when numeric', async () => {
    const file = await parseTestFile('kumban-walk-1.1.gpx');
    const [first, second] = file.tracks[1].segments[0];
    expect(first).toEqual({
      seq: 2,
      lon: 102.61,
      lat: 17.97,
      ele: 170.2,
      time: '2024-02-01T01:00:00.250Z',
      sat: 9,
      hdop: 0.9,
      vdop: 1.4,
      pdop: 1.7,
      fix: '3d',
      extensions: { atemp: 31.5, hr: 98, cad: 54, Note: 'rice field edge' },
    });
    expect(Object.getPrototypeOf(first.extensions)).toBeNull();
    expect(second).toStrictEqual({ seq: 3, lon: 102.6101, lat: 17.9699, time: '2024-02-01T01:00:10.000Z' });
  });

  it('joins text split by a comment and reads sub-second times', async () => {
    const file = await parseTestFile('kumban-walk-1.1.gpx');
    expect(file.tracks[1].segments[1][0]).toMatchObject({ ele: 169.8, time: '2024-02-01T01:05:00.500Z' });
  });

  it('ignores an empty segment and says so', async () => {
    const file = await parseTestFile('kumban-walk-1.1.gpx');
    expect(file.warnings).toEqual(['1 empty track segment was ignored (first at line 52)']);
  });

  it('gives the same result whatever the chunk boundaries, even inside a multi-byte character', async () => {
    const bytes = fs.readFileSync(path.join(TESTDATA, 'bom-lao-name.gpx'));
    async function* byteByByte() {
      for (let i = 0; i < bytes.length; i++) yield bytes.subarray(i, i + 1);
    }
    const split = await parseGpx(byteByByte(), { fileName: 'bom-lao-name.gpx' });
    const whole = await parseTestFile('bom-lao-name.gpx');
    expect(split).toEqual(whole);
    expect(whole.waypoints).toEqual([{ name: 'ບານ ນາ', lon: 102.6, lat: 17.9 }]);
  });

  it('accepts string chunks with a byte-order mark and no namespace', async () => {
    async function* text() {
      yield '\uFEFF<gpx version="1.1"><trk><trkseg><trkpt lat="17.9" ';
      yield 'lon="102.6"/></trkseg></trk></gpx>';
    }
    const file = await parseGpx(text(), { fileName: 'phone.gpx' });
    expect(readings(file)).toEqual([{ seq: 0, lon: 102.6, lat: 17.9 }]);
  });

  it('reads one segment per <trkseg> and ignores a <trkpt> outside one', async () => {
    const file = await parseText(
      gpx(`<trk><trkpt lat="1" lon="1"/><trkseg><trkpt lat="17.9" lon="102.6"/></trkseg>
           <trkseg><trkpt lat="17.8" lon="102.5"/><trkpt lat="17.7" lon="102.4"/></trkseg></trk>`),
    );
    expect(file.tracks[0].segments.map((s) => s.map((r) => r.lat))).toEqual([[17.9], [17.8, 17.7]]);
  });
});

describe('parseGpx: reading GPX 1.0', () => {
  it('reads speed, course, fix and the declared Latin-1 encoding', async () => {
    const file = await parseTestFile('expertgps-1.0.gpx');
    expect(file).toMatchObject({ version: '1.0', creator: 'ExpertGPS 1.1 - http://www.topografix.com', name: 'Ban Pakthang' });
    expect(file.tracks[0].desc).toBe('Chef de village: M. Keo, relévé');
    expect(file.tracks[0].segments[0][0]).toEqual({
      seq: 0,
      lon: 102.5001,
      lat: 18.0001,
      ele: 165,
      time: '2023-11-05T02:00:00.000Z',
      course: 87.5,
      speed: 1.25,
      fix: '2d',
      sat: 4,
    });
  });

  it('ignores an unreadable elevation or time with one warning each, and reads zone-less times as UTC', async () => {
    const file = await parseTestFile('expertgps-1.0.gpx');
    const [, second, third] = file.tracks[0].segments[0];
    expect(second).toStrictEqual({ seq: 1, lon: 102.5003, lat: 18.0002, speed: 1.3 });
    expect(third.time).toBe('2023-11-05T02:00:20.000Z');
    expect(file.warnings).toEqual([
      '1 value was not a number and ignored (first at line 7: <ele>bad data</ele>)',
      '1 time was unreadable and ignored (first at line 7: yesterday)',
      '1 time has no time zone and was read as UTC (first at line 8: 2023-11-05T02:00:20)',
    ]);
  });

  it('reads numbers as written in any decimal form, and only those', async () => {
    const values = ['12', '-0', '+1.5', '1.', '.5', ' 7.25\n', '1e3', '-2.5E-1', '0x10', 'Infinity', '1,5', '', '1.2.3', '١٢'];
    const points = values.map((v, i) => `<trkpt lat="17.9" lon="102.${i}"><ele>${v}</ele></trkpt>`);
    const file = await parseText(gpx(`<trk><trkseg>${points.join('\n')}</trkseg></trk>`));
    expect(readings(file).map((r) => r.ele)).toStrictEqual([12, -0, 1.5, 1, 0.5, 7.25, 1000, -0.25, undefined, undefined, undefined, undefined, undefined, undefined]);
    expect(file.warnings).toEqual(['5 values were not a number and ignored (first at line 12: <ele>0x10</ele>)']);
  });

  it('reads every decimal to the very double Number() gives, short or long', async () => {
    // Up to 15 digits the reader divides by a power of ten itself; longer numbers take the long way.
    const rng = createRng(7);
    const values = ['0.1', '-0.3', '179.9999999', '-179.99999999999', '12345678901234.5', '1234567890123456', '0.30000000000000004', '+0009.50'];
    for (let i = 0; i < 2000; i++) {
      const digits = rng.int(1, 17);
      values.push(rng.uniform(-180, 180).toFixed(Math.min(digits, 15)).slice(0, 3 + digits));
    }
    const lons = values.map((v) => (Math.abs(Number(v)) <= 180 ? v : '102.5'));
    const points = values.map((v, i) => `<trkpt lat="17.9" lon="${lons[i]}"><ele>${v}</ele><hdop>${v}</hdop></trkpt>`);
    const file = await parseText(gpx(`<trk><trkseg>${points.join('\n')}</trkseg></trk>`), { columns: true });
    const read = readings(plain(file));
    expect(read.map((r) => r.lon)).toStrictEqual(lons.map(Number));
    expect(read.map((r) => r.ele)).toStrictEqual(values.map(Number));
    expect(read.map((r) => r.hdop)).toStrictEqual(values.map(Number));
  });

  it('counts repeated problems instead of repeating the warning', async () => {
    const points = Array.from({ length: 1500 }, (_, i) => `<trkpt lat="17.9" lon="102.${i}"><ele>n/a</ele></trkpt>`);
    const file = await parseText(gpx(`<trk><trkseg>${points.join('\n')}</trkseg></trk>`));
    expect(file.warnings).toEqual(['1,500 values were not a number and ignored (first at line 3: <ele>n/a</ele>)']);
  });
});

describe('parseGpx: refusing hostile XML', () => {
  it.each(['billion-laughs.gpx', 'xxe.gpx'])('refuses %s at its DOCTYPE, fast, without reading what it points to', async (name) => {
    const started = performance.now();
    const e = await refusal(parseTestFile(name));
    // Not a speed measure: an entity expansion would take seconds and gigabytes, a refusal at the
    // DOCTYPE takes milliseconds, so even a loaded machine stays far below this bound.
    expect(performance.now() - started).toBeLessThan(1000);
    expect(e).toMatchObject({ code: 'XML_DOCTYPE_FORBIDDEN', status: 400 });
    expect(e.message).toMatch(new RegExp(`^${name}: a DOCTYPE declaration at line \\d+ is not allowed`));
    const everything = JSON.stringify({ message: e.message, details: e.details });
    expect(everything).not.toMatch(/root:|lollol/);
  });

  it('refuses entities other than the five XML ones instead of expanding them', async () => {
    const e = await refusal(parseTestFile('undeclared-entity.gpx'));
    expect(e).toMatchObject({ code: 'XML_MALFORMED', status: 400 });
    expect(e.message).toContain('undeclared-entity.gpx: the XML is malformed at line 3');
    expect(e.message).toContain('undefined entity');
  });

  it('refuses unknown element names as object keys: nothing reaches Object.prototype', async () => {
    const file = await parseTestFile('proto-pollution.gpx');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
    const ext = readings(file)[0].extensions as Record<string, unknown>;
    expect(Object.getPrototypeOf(ext)).toBeNull();
    expect(Object.keys(ext).sort()).toEqual(['polluted', 'toString']);
    expect(Object.getOwnPropertyNames(ext)).not.toContain('constructor');
  });

  it('refuses nesting deeper than the limit', async () => {
    const deep = `${'<x>'.repeat(70)}${'</x>'.repeat(70)}`;
    const e = await refusal(parseText(gpx(`<wpt lat="1" lon="1"><extensions>${deep}</extensions></wpt>`)));
    expect(e).toMatchObject({ code: 'XML_TOO_DEEP', status: 400 });
    expect(e.message).toContain('more than 64 levels deep at line 3');
    const shallow = `${'<x>'.repeat(5)}1${'</x>'.repeat(5)}`;
    // gpx > wpt > extensions > five <x>: eight levels
    const fits = await parseText(gpx(`<wpt lat="1" lon="1"><extensions>${shallow}</extensions></wpt>`), { maxDepth: 8 });
    expect(fits.waypoints).toHaveLength(1);
    const e2 = await refusal(parseText(gpx(`<wpt lat="1" lon="1"><extensions>${shallow}</extensions></wpt>`), { maxDepth: 7 }));
    expect(e2.code).toBe('XML_TOO_DEEP');
  });

  it('refuses a text longer than the limit, wherever it is', async () => {
    const long = 'a'.repeat(5000);
    for (const body of [
      `<metadata><desc>${long}</desc></metadata><wpt lat="1" lon="1"/>`,
      `<wpt lat="1" lon="1"><cmt><![CDATA[${long}]]></cmt></wpt>`,
      `<wpt lat="1" lon="1"><name>${'ab&amp;'.repeat(2000)}</name></wpt>`,
    ]) {
      const e = await refusal(parseText(gpx(body)));
      expect(e).toMatchObject({ code: 'TEXT_FIELD_TOO_LONG', status: 413 });
    }
    const file = await parseText(gpx(`<wpt lat="1" lon="1"><name>${long}</name></wpt>`), { maxTextLength: 10_000 });
    expect(file.waypoints[0].name).toHaveLength(5000);
  });

  it('stops reading as soon as the point limit is passed', async () => {
    let chunksRead = 0;
    async function* endless() {
      yield '<gpx version="1.1"><trk><trkseg>';
      for (;;) {
        chunksRead++;
        yield '<trkpt lat="17.9" lon="102.6"/>'.repeat(100);
      }
    }
    const e = await refusal(parseGpx(endless(), { fileName: 'endless.gpx', maxPoints: 1000 }));
    expect(e).toMatchObject({ code: 'TOO_MANY_POINTS', status: 413 });
    expect(e.message).toContain('endless.gpx: more than 1,000 points');
    expect(chunksRead).toBe(11);
  });

  it('stops reading a Node stream early and destroys it', async () => {
    const { Readable } = await import('node:stream');
    let pulled = 0;
    const stream = new Readable({
      read() {
        pulled++;
        this.push(pulled === 1 ? '<gpx version="1.1">' : '<wpt lat="1" lon="1"/>'.repeat(1000));
      },
    });
    const e = await refusal(parseGpx(stream, { fileName: 'big.gpx', maxPoints: 5000 }));
    expect(e.code).toBe('TOO_MANY_POINTS');
    expect(stream.destroyed).toBe(true);
    expect(pulled).toBeLessThan(20);
  });
});

describe('parseGpx: refusing unreadable or unusable files', () => {
  it('refuses malformed XML with the line and column', async () => {
    const e = await refusal(parseTestFile('truncated.gpx'));
    expect(e).toMatchObject({ code: 'XML_MALFORMED', status: 400 });
    expect(e.message).toMatch(/^truncated\.gpx: the XML is malformed at line \d+, column \d+: /);
    expect(e.details).toEqual([expect.objectContaining({ file: 'truncated.gpx', line: expect.any(Number), column: expect.any(Number) })]);
  });

  it('refuses an empty upload as malformed', async () => {
    const e = await refusal(parseText(''));
    expect(e.code).toBe('XML_MALFORMED');
  });

  it('refuses a decimal comma, naming the point line and the value', async () => {
    const e = await refusal(parseTestFile('decimal-comma.gpx'));
    expect(e).toMatchObject({ code: 'BAD_COORDINATE', status: 422 });
    expect(e.message).toBe("decimal-comma.gpx: Point at line 5: lat '15,1234' is not a number");
    expect(e.details).toEqual([{ file: 'decimal-comma.gpx', line: 5, attribute: 'lat', value: '15,1234' }]);
  });

  it('writes large line numbers the way people read them', async () => {
    const filler = Array.from({ length: 1200 }, () => '<trkpt lat="15.1" lon="105.8"/>').join('\n');
    const e = await refusal(parseText(gpx(`<trk><trkseg>\n${filler}\n<trkpt lat="15,1234" lon="105.8"/></trkseg></trk>`)));
    expect(e.message).toBe("test.gpx: Point at line 1,204: lat '15,1234' is not a number");
  });

  it.each([
    ['<wpt lon="102.6"/>', 'BAD_COORDINATE', 'lat is missing'],
    ['<wpt lat="" lon="102.6"/>', 'BAD_COORDINATE', 'lat is empty'],
    ['<wpt lat="17.9" lon="0x66"/>', 'BAD_COORDINATE', "lon '0x66' is not a number"],
    ['<wpt lat="NaN" lon="102.6"/>', 'NON_FINITE_COORDINATE', "lat 'NaN' is not a finite number"],
    ['<wpt lat="17.9" lon="-Infinity"/>', 'NON_FINITE_COORDINATE', "lon '-Infinity' is not a finite number"],
    ['<wpt lat="1e999" lon="102.6"/>', 'NON_FINITE_COORDINATE', "lat '1e999' is not a finite number"],
    ['<wpt lat="90.5" lon="102.6"/>', 'COORDINATE_OUT_OF_RANGE', 'lat 90.5 is outside -90 to 90'],
    ['<wpt lat="17.9" lon="-180.01"/>', 'COORDINATE_OUT_OF_RANGE', 'lon -180.01 is outside -180 to 180'],
  ])('refuses %s', async (point, code, reason) => {
    const e = await refusal(parseText(gpx(point)));
    expect(e.code).toBe(code);
    expect(e.status).toBe(422);
    expect(e.message).toBe(`test.gpx: Point at line 3: ${reason}`);
  });

  it('accepts coordinates on the limits and with surrounding spaces', async () => {
    const file = await parseText(gpx('<wpt lat="-90" lon="180"/><wpt lat=" 17.5 " lon="+102.25"/>'));
    expect(file.waypoints.map((w) => [w.lat, w.lon])).toEqual([
      [-90, 180],
      [17.5, 102.25],
    ]);
  });

  it('refuses a root element other than <gpx>', async () => {
    const e = await refusal(parseTestFile('kml-not-gpx.kml'));
    expect(e).toMatchObject({ code: 'UNSUPPORTED_FILE_TYPE', status: 415 });
    expect(e.message).toBe('kml-not-gpx.kml: the root element is <kml>, not <gpx>');
  });

  it('refuses a file without any point', async () => {
    const e = await refusal(parseText(gpx('<trk><name>empty</name><trkseg></trkseg></trk><rte/>')));
    expect(e).toMatchObject({ code: 'NO_POINTS', status: 422 });
  });

  it('refuses an encoding it cannot decode', async () => {
    const e = await refusal(parseText(gpx('<wpt lat="1" lon="1"/>'), { encoding: 'x-klingon' }));
    expect(e).toMatchObject({ code: 'UNSUPPORTED_FILE_TYPE', status: 415 });
  });
});

describe('parseGpx: streaming', () => {
  it('parses 200,000 points generated on the fly, piece by piece', async () => {
    const total = 200_000;
    const start = Date.UTC(2024, 1, 1, 1);
    async function* walk() {
      yield '<?xml version="1.0"?><gpx version="1.1" creator="generator" xmlns="http://www.topografix.com/GPX/1/1"><trk><trkseg>\n';
      for (let i = 0; i < total; i += 1000) {
        let chunk = '';
        for (let k = i; k < i + 1000; k++) {
          const time = new Date(start + k * 1000).toISOString();
          chunk += `<trkpt lat="${(17.9 + k * 1e-6).toFixed(7)}" lon="${(102.6 + k * 1e-6).toFixed(7)}"><ele>${170 + (k % 7)}</ele><time>${time}</time></trkpt>\n`;
        }
        yield Buffer.from(chunk);
      }
      yield '</trkseg></trk></gpx>';
    }
    const file = await parseGpx(walk(), { fileName: 'walk.gpx' });
    const segment = file.tracks[0].segments[0];
    expect(segment).toHaveLength(total);
    expect(segment[total - 1]).toEqual({
      seq: total - 1,
      lat: Number((17.9 + (total - 1) * 1e-6).toFixed(7)),
      lon: Number((102.6 + (total - 1) * 1e-6).toFixed(7)),
      ele: 170 + ((total - 1) % 7),
      time: new Date(start + (total - 1) * 1000).toISOString(),
    });
  });
});

describe('parseDateTime', () => {
  it.each([
    ['2015-12-11T15:43:13.994+01:00', '2015-12-11T14:43:13.994Z', true],
    ['2020-01-01T00:30:00-05:30', '2020-01-01T06:00:00.000Z', true],
    ['2020-01-01T00:30:00+0700', '2019-12-31T17:30:00.000Z', true],
    ['2007-05-11T15:22:06Z', '2007-05-11T15:22:06.000Z', true],
    ['2007-05-11T15:22:06.123456Z', '2007-05-11T15:22:06.123Z', true],
    ['2007-05-11T15:22:06.5z', '2007-05-11T15:22:06.500Z', true],
    ['2013-01-01T12:00:04', '2013-01-01T12:00:04.000Z', false],
    ['2013-01-01 12:00Z', '2013-01-01T12:00:00.000Z', true],
    ['2016-02-29T00:00:00Z', '2016-02-29T00:00:00.000Z', true],
    ['2016-12-31T23:59:60Z', '2017-01-01T00:00:00.000Z', true],
  ])('reads %s as %s', (text, iso, zoned) => {
    expect(parseDateTime(text)).toEqual({ iso, zoned });
  });

  it.each(['2013-02-29T00:00:00Z', '2013-13-01T00:00:00Z', '2013-01-01T24:00:00Z', '2013-1-01T00:00:00Z', '2013-01-01', 'yesterday', '2013-01-01T00:00:00ZZ', '2013-01-01T00:00:00+15:00', '2013-01-01T00:00:00.Z'])(
    'refuses %s',
    (text) => {
      expect(parseDateTime(text)).toBeNull();
    },
  );
});

const REALDATA = path.resolve(REPO_ROOT, process.env.TESSERA_REALDATA ?? '../shared/realdata');
const REAL_GPX = path.join(REALDATA, 'gpx');

function gpxFilesUnder(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((d) => d.isFile() && d.name.endsWith('.gpx'))
    .map((d) => path.join(d.parentPath, d.name))
    .sort();
}

/** Counts point elements with a regex: an oracle that shares no code with the parser. */
function countElements(xml: string, name: string): number {
  return xml.match(new RegExp(`<${name}[\\s/>]`, 'g'))?.length ?? 0;
}

describe.skipIf(!fs.existsSync(REAL_GPX))('parseGpx on real-world files (TESSERA_REALDATA)', () => {
  const files = fs.existsSync(REAL_GPX) ? gpxFilesUnder(REAL_GPX) : [];

  it('finds the files', () => {
    expect(files.length).toBeGreaterThan(40);
  });

  it.each(files.map((f) => [path.relative(REAL_GPX, f), f]))('%s parses or is refused with a 4xx user error', async (name, file) => {
    const xml = fs.readFileSync(file, 'utf8');
    const outcome = await parseGpx(fs.createReadStream(file), { fileName: name }).catch((e: unknown) => e);
    if (outcome instanceof Error) {
      expect(outcome).toBeInstanceOf(UserError);
      const status = (outcome as UserError).status;
      expect(status).toBeGreaterThanOrEqual(400);
      expect(status).toBeLessThan(500);
      expect(outcome.message.startsWith(`${name}: `)).toBe(true);
      return;
    }
    const parsed = outcome as ParsedFile;
    const points = [...readings(parsed), ...parsed.waypoints];
    for (const p of points) {
      expect(Number.isFinite(p.lon) && Math.abs(p.lon) <= 180).toBe(true);
      expect(Number.isFinite(p.lat) && Math.abs(p.lat) <= 90).toBe(true);
    }
    expect(readings(parsed)).toHaveLength(countElements(xml, 'trkpt') + countElements(xml, 'rtept'));
    expect(parsed.waypoints).toHaveLength(countElements(xml, 'wpt'));
    expect(parsed.pointCount).toBe(points.length);
  });

  const real = (name: string) => {
    const file = path.join(REAL_GPX, name);
    return parseGpx(fs.createReadStream(file), { fileName: path.basename(file) });
  };

  it('reads all 5,235 points of the MapSource file in its three tracks', async () => {
    const parsed = await real('togeojson/multitrackgpx.gpx');
    expect(parsed.creator).toBe('MapSource 6.13.7');
    expect(parsed.tracks).toHaveLength(3);
    expect(readings(parsed)).toHaveLength(5235);
    expect(readings(parsed).every((r) => r.time !== undefined && r.ele !== undefined)).toBe(true);
  });

  it('keeps the times of the OpenStreetMap trace where they exist, about half of them', async () => {
    const file = 'togeojson/osm.gpx';
    const parsed = await real(file);
    const timed = readings(parsed).filter((r) => r.time !== undefined).length;
    expect(timed).toBe(countElements(fs.readFileSync(path.join(REAL_GPX, file), 'utf8'), 'time'));
    expect(timed / readings(parsed).length).toBeCloseTo(0.5, 1);
  });

  it('reads Garmin TrackPointExtension values as numbers', async () => {
    const parsed = await real('gpxpy/garmin_tpx.gpx');
    expect(readings(parsed).map((r) => ({ ...r.extensions }))).toEqual([
      { atemp: 15, hr: 113 },
      { atemp: 15, hr: 112 },
      { atemp: 1, hr: 138, cad: 21 },
    ]);
  });

  it('converts local-offset sub-second times to UTC', async () => {
    const parsed = await real('gpxpy/track-with-less-sec-time.gpx');
    expect(readings(parsed).map((r) => r.time)).toEqual(['2015-12-11T14:43:13.000Z', '2015-12-11T14:43:13.994Z']);
  });

  it('leaves out empty elevations of OsmAnd', async () => {
    const parsed = await real('togeojson/empty_ele.gpx');
    expect(readings(parsed).map((r) => 'ele' in r)).toEqual([false, false]);
  });

  it('refuses the file with "undefined" coordinates, and the empty track', async () => {
    expect(await refusal(real('togeojson/bad.gpx'))).toMatchObject({ code: 'BAD_COORDINATE', status: 422 });
    expect(await refusal(real('togeojson/empty_trk.gpx'))).toMatchObject({ code: 'NO_POINTS', status: 422 });
  });
});

describe('parseGpx with columns (as ingest reads GPX)', () => {
  const files = [
    ...fs.readdirSync(TESTDATA).filter((f) => f.endsWith('.gpx')).map((f) => path.join(TESTDATA, f)),
    ...(fs.existsSync(REAL_GPX) ? gpxFilesUnder(REAL_GPX) : []),
  ];
  it.each(files.map((f) => [path.relative(REPO_ROOT, f), f]))('reads the same as with objects: %s', async (_name, file) => {
    const parse = (columns: boolean) =>
      parseGpx(fs.createReadStream(file), { fileName: path.basename(file), columns }).then(
        plain,
        (e: unknown) => (e instanceof UserError ? { refused: e.code, message: e.message } : Promise.reject(e)),
      );
    const [asColumns, asObjects] = await Promise.all([parse(true), parse(false)]);
    expect(asColumns).toStrictEqual(asObjects);
  });

  it('reads times the same either way, whatever their form and however many a point has', async () => {
    const xml = gpx(`<wpt lat="15" lon="106"><time>2024-01-31T01:00:00Z</time><name>Junction</name></wpt>
      <trk><trkseg>
        <trkpt lat="15" lon="106"><time>2024-01-31T01:00:00Z</time></trkpt>
        <trkpt lat="15" lon="106.1"><time>2024-01-31T08:00:01+07:00</time></trkpt>
        <trkpt lat="15" lon="106.2"><time> 2024-01-31T01:00:02.5Z </time></trkpt>
        <trkpt lat="15" lon="106.3"><time>2024-01-31T01:00:03Z</time><time>2024-01-31T08:00:04+07:00</time></trkpt>
        <trkpt lat="15" lon="106.4"><time>2024-01-31T08:00:05+07:00</time><time>2024-01-31T01:00:06Z</time></trkpt>
        <trkpt lat="15" lon="106.5"><time>2024-01-31T01:00:07Z</time><time>yesterday</time></trkpt>
        <trkpt lat="15" lon="106.6"><time>2016-12-31T23:59:60Z</time></trkpt>
        <trkpt lat="15" lon="106.7"><time>2024-01-31T01:00:09</time></trkpt>
      </trkseg></trk>`);
    const [asColumns, asObjects] = await Promise.all([parseText(xml, { columns: true }) as Promise<ParsedFile<ReadingSegment>>, parseText(xml)]);
    expect(plain(asColumns)).toStrictEqual(plain(asObjects));
    expect(readings(asObjects).map((r) => r.time)).toEqual([
      '2024-01-31T01:00:00.000Z', '2024-01-31T01:00:01.000Z', '2024-01-31T01:00:02.500Z', '2024-01-31T01:00:04.000Z',
      '2024-01-31T01:00:06.000Z', '2024-01-31T01:00:07.000Z', '2017-01-01T00:00:00.000Z', '2024-01-31T01:00:09.000Z',
    ]);
    expect(asColumns.waypoints[0].time).toBe('2024-01-31T01:00:00.000Z');
  });

  it('hands over ReadingColumns whose readings equal the objects, field for field', async () => {
    const parsed = await parseGpx(fs.createReadStream(path.join(TESTDATA, 'kumban-walk-1.1.gpx')), { fileName: 'walk.gpx', columns: true });
    const segment = parsed.tracks[1].segments[0];
    expect(segment).toBeInstanceOf(ReadingColumns);
    expect(segment.at(0)).toMatchObject({ seq: expect.any(Number), lon: expect.any(Number), lat: expect.any(Number) });
  });
});
