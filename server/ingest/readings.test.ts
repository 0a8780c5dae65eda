import { describe, expect, it } from 'vitest';
import { parseDateTime } from './gpx.js';
import { blockBuffers, isoEpochMs, isoFromEpochMs, ReadingColumns, utcTimeMs, type ColumnsBlock, type Reading } from './readings.js';

describe('ReadingColumns', () => {
  const readings: Reading[] = [
    { seq: 0, lon: 106.7, lat: 15.35 },
    { seq: 1, lon: -0, lat: 1e-7, ele: 180.5, time: '2024-01-31T01:00:00.000Z', hdop: 0.1 + 0.2, sat: 7.6 },
    { seq: 2, lon: 106.8, lat: 15.4, time: '2024-01-31T01:00:01Z', fix: '3d', vdop: 1, pdop: 2, accuracy: 4, speed: 1.2, course: 90 },
    { seq: 3, lon: 106.9, lat: 15.5, time: '0050-03-01T00:00:00.000Z', extensions: Object.assign(Object.create(null) as Record<string, number | string>, { hr: 92 }) },
    { seq: 4, lon: 107, lat: 15.6, time: '+010000-01-01T00:00:00.000Z', ele: -0 },
  ];
  // Enough readings to fill several blocks, fields appearing only part way through.
  const many: Reading[] = Array.from({ length: 200_000 }, (_, i) => ({
    seq: i, lon: 100 + i * 1e-6, lat: 15,
    ...(i > 70_000 ? { hdop: i % 10, time: new Date(Date.UTC(2024, 0, 1) + i * 997).toISOString() } : {}),
  }));

  it('gives back every reading exactly as pushed, field for field, including times not in canonical form', () => {
    const columns = ReadingColumns.from(readings);
    expect(columns).toHaveLength(readings.length);
    expect(Array.from(columns)).toStrictEqual(readings);
    expect(Object.is(columns.lon(1), -0)).toBe(true);
    expect(Array.from(ReadingColumns.from(many))).toStrictEqual(many);
  });

  it('gives back seqs that do not count up by one, wherever the run breaks', () => {
    const at = (seqs: number[]) => seqs.map((seq, i) => ({ seq, lon: 100 + i, lat: 15 }));
    for (const seqs of [[5, 6, 7], [5, 7, 8], [0, 1, 2, 2, 3], [3, 2, 1], [-0, 1], [0, -0], [1.5, 2.5], [7]]) {
      expect(Array.from(ReadingColumns.from(at(seqs))), String(seqs)).toStrictEqual(at(seqs));
    }
    const long = at(Array.from({ length: 150_000 }, (_, i) => (i < 140_000 ? i + 10 : i * 2)));
    expect(Array.from(ReadingColumns.from(long))).toStrictEqual(long);
  });

  it('finds the time span that comparing every time as text finds, with or without readings left out', () => {
    const columns = ReadingColumns.from(readings);
    const texts = (skip?: Uint8Array) => readings.filter((r, i) => r.time !== undefined && (!skip || skip[i] === 0)).map((r) => r.time!).sort();
    const skip = Uint8Array.from([0, 1, 0, 1, 0]);
    expect(columns.timeSpan()).toEqual({ start: texts()[0], end: texts().at(-1) });
    expect(columns.timeSpan(skip)).toEqual({ start: texts(skip)[0], end: texts(skip).at(-1) });
    expect(ReadingColumns.from([{ seq: 0, lon: 1, lat: 1 }]).timeSpan()).toBeNull();
  });
});

describe('ReadingColumns handed over in blocks to another thread', () => {
  const ext = (o: Record<string, number | string>) => Object.assign(Object.create(null) as Record<string, number | string>, o);
  /**
   * Readings over three blocks and a bit, with what a block has to carry: fields that start
   * after the first block has gone (hdop, times, fixes), a time not in canonical form, a seq
   * run that breaks in the third block, extensions.
   */
  const readings: Reading[] = Array.from({ length: 3 * 65_536 + 123 }, (_, i) => {
    const r: Reading = { seq: i < 150_000 ? 10 + i : 2 * i, lon: 100 + i * 1e-6, lat: 15 - i * 1e-7 };
    if (i > 70_000) r.hdop = i % 7;
    if (i > 66_000) r.time = i === 70_001 ? '+010000-01-01T00:00:00.000Z' : new Date(Date.UTC(2024, 0, 1) + i * 1000).toISOString();
    if (i % 40_000 === 39_999) r.fix = '3d';
    if (i % 50_000 === 7) r.extensions = ext({ hr: 90 + (i % 5), note: 'a\tb' });
    return r;
  });

  /** Push the readings, handing over what is ready now and then as a parser does, through a structured clone. */
  function handOverAll(every: number): { from: ReadingColumns; to: ReadingColumns; blocks: ColumnsBlock[] } {
    const from = new ReadingColumns();
    const to = new ReadingColumns();
    const blocks: ColumnsBlock[] = [];
    const send = (all: boolean) => {
      const out = from.handOver(all);
      blocks.push(...out);
      for (const b of structuredClone(out, { transfer: blockBuffers(out) })) to.adopt(b);
    };
    readings.forEach((r, i) => {
      from.push(r);
      if (i % every === 0) send(false);
    });
    send(true);
    return { from, to, blocks };
  }

  it('rebuilds the segment reading for reading, with prototype-less extensions', () => {
    for (const every of [1, 9_999, 1e9]) {
      const { to, blocks } = handOverAll(every);
      expect(blocks.map((b) => b.length)).toEqual([65_536, 65_536, 65_536, 123]);
      expect(to).toHaveLength(readings.length);
      expect(Array.from(to)).toStrictEqual(readings);
      expect(Object.getPrototypeOf(to.extensionsAt(7))).toBeNull();
      expect(to.timeSpan()).toEqual(ReadingColumns.from(readings).timeSpan());
    }
  });

  it('keeps nothing of what it handed over, and nothing is handed over twice', () => {
    const { from, blocks } = handOverAll(5_000);
    // Transferred arrays are detached here: the parsing thread no longer holds those readings.
    expect(blocks.every((b) => b.lons.byteLength === 0 && b.lats.byteLength === 0)).toBe(true);
    expect(from.handOver(true)).toEqual([]);
    expect(from.fix(39_999)).toBeUndefined();
    expect(from.extensionsAt(7)).toBeUndefined();
  });

  it('hands over only full blocks while readings are still coming', () => {
    const columns = ReadingColumns.from(readings.slice(0, 65_535));
    expect(columns.handOver(false)).toEqual([]);
    columns.push(readings[65_535]);
    expect(columns.handOver(false).map((b) => [b.start, b.length])).toEqual([[0, 65_536]]);
    columns.push(readings[65_536]);
    expect(columns.handOver(false)).toEqual([]);
    expect(columns.handOver(true).map((b) => [b.start, b.length])).toEqual([[65_536, 1]]);
  });

  it('refuses a block out of order', () => {
    const blocks = ReadingColumns.from(readings.slice(0, 70_000)).handOver(true);
    expect(() => new ReadingColumns().adopt(blocks[1])).toThrow(/block at 65536 adopted after 0 readings/);
  });
});

describe('times as epoch milliseconds', () => {
  it('reads and writes canonical times as Date does, for any four-digit year', () => {
    for (const iso of ['1970-01-01T00:00:00.000Z', '2024-02-29T23:59:59.999Z', '0001-01-01T00:00:00.000Z', '0099-12-31T12:00:00.500Z', '9999-12-31T23:59:59.999Z', '1969-07-20T20:17:40.000Z']) {
      const d = new Date(0);
      d.setUTCFullYear(Number(iso.slice(0, 4)), Number(iso.slice(5, 7)) - 1, Number(iso.slice(8, 10)));
      d.setUTCHours(Number(iso.slice(11, 13)), Number(iso.slice(14, 16)), Number(iso.slice(17, 19)), Number(iso.slice(20, 23)));
      expect(isoEpochMs(iso), iso).toBe(d.getTime());
      expect(isoFromEpochMs(d.getTime()), iso).toBe(iso);
    }
    expect(isoFromEpochMs(Date.UTC(10000, 0, 1))).toBe('+010000-01-01T00:00:00.000Z');
  });
});

describe('utcTimeMs, the logger-time shortcut', () => {
  it('gives the milliseconds the long way (parseDateTime, then isoEpochMs) gives, for the form it takes', () => {
    const taken = [
      '2024-01-31T01:00:00Z', '2024-01-31T01:00:00.5Z', '2024-01-31T01:00:00.123Z', '2024-01-31T01:00:00.1239999Z',
      '2024-02-29T23:59:59.999Z', '0001-01-01T00:00:00Z', '0000-03-01T00:00:00Z', '9999-12-31T23:59:59Z', '1969-12-31T23:59:59.001Z',
    ];
    for (const s of taken) {
      const long = parseDateTime(s);
      expect(long, s).not.toBeNull();
      expect(utcTimeMs(s), s).toBe(isoEpochMs(long!.iso));
    }
  });

  it('leaves every other form to the long way (NaN), valid or not', () => {
    const left = [
      '2024-01-31T01:00:00', '2024-01-31 01:00:00Z', '2024-01-31t01:00:00Z', '2024-01-31T01:00:00z', '2024-01-31T01:00Z',
      '2024-01-31T01:00:00+07:00', '2024-01-31T01:00:60Z', '2023-02-29T00:00:00Z', '2024-13-01T00:00:00Z', '2024-01-31T24:00:00Z',
      '2024-01-31T01:00:00.Z', '2024-01-31T01:00:00,5Z', '2024-01-31T01:00:00.5xZ', ' 2024-01-31T01:00:00Z', '+12024-01-31T01:00:00Z', '',
    ];
    for (const s of left) expect(utcTimeMs(s), s).toBeNaN();
  });

  it('stores a reading pushed with its time as milliseconds as the same reading with its time as text', () => {
    const withText = new ReadingColumns();
    const withMs = new ReadingColumns();
    for (const [i, time] of ['2024-01-31T01:00:00Z', '2024-01-31T01:00:01.250Z'].entries()) {
      withText.push({ seq: i, lon: 106, lat: 15, time: parseDateTime(time)!.iso, ele: 3 });
      withMs.push({ seq: i, lon: 106, lat: 15, ele: 3 }, utcTimeMs(time));
    }
    expect(Array.from(withMs)).toStrictEqual(Array.from(withText));
    expect(withMs.timeMs(1)).toBe(Date.UTC(2024, 0, 31, 1, 0, 1, 250));
  });
});
