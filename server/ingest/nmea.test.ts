import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseNmea, parseSentence } from './nmea.js';

const file = path.join(import.meta.dirname, 'testdata', 'bad-checksum.nmea');
const fromText = (text: string) => parseNmea([Buffer.from(text)], { fileName: 'log.nmea', maxPoints: 1000 });

describe('parseNmea', () => {
  it('merges GGA and RMC of each second, drops the damaged sentence and counts it', async () => {
    const parsed = await parseNmea(fs.createReadStream(file), { fileName: 'bad-checksum.nmea', maxPoints: 1000 });
    expect(parsed.format).toBe('nmea');
    const readings = parsed.tracks[0].segments[0];
    // 20 seconds logged; the 13th GGA is damaged, but that second's RMC still gives a reading.
    expect(readings).toHaveLength(20);
    expect(parsed.warnings).toEqual(['1 sentence was dropped for a wrong checksum (first at line 41)']);
    expect(readings[0]).toMatchObject({ seq: 0, sat: 8, hdop: 0.9, ele: 402, course: 0, time: '2026-02-03T23:59:50.000Z' });
    expect(readings[0].speed).toBeCloseTo(1.9 * 0.514444, 5);
    expect(readings[0].lat).toBeCloseTo(15 + 45.8308 / 60, 7);
    expect(readings[12].ele).toBeUndefined();
    // The log runs past midnight: the date moves on with the RMC dates.
    expect(readings[10].time).toBe('2026-02-04T00:00:00.000Z');
    // RMC status V (receiver warning) marks the fix invalid for cleaning to drop.
    expect(readings[7].fix).toBe('none');
    expect(readings.filter((r) => r.fix === 'none')).toHaveLength(1);
  });

  it('dates GGA-only seconds before the first RMC from it, and says when there is no date at all', async () => {
    const gga = '$GPGGA,235959.00,1545.8308,N,10643.8655,E,1,8,0.9,402.0,M,-28.1,M,,*74';
    const rmc = '$GPRMC,000001.00,A,1545.8310,N,10643.8660,E,0.5,10.0,040226,,,A*6E';
    const both = await fromText(`${gga}\n${rmc}\n`);
    expect(both.tracks[0].segments[0].map((r) => r.time)).toEqual(['2026-02-03T23:59:59.000Z', '2026-02-04T00:00:01.000Z']);
    const ggaOnly = await fromText(`${gga}\n`);
    expect(ggaOnly.tracks[0].segments[0][0].time).toBeUndefined();
    expect(ggaOnly.warnings).toContain('the log has no $GPRMC sentence with a date, so the readings have no times');
  });

  it('refuses a log without one valid position sentence with 422 NO_POINTS', async () => {
    const e = await fromText('$GPGGA,235959.00,,,,,0,0,,,M,,M,,*79\n$GPGGA,bad*00\n').catch((x) => x);
    expect(e).toMatchObject({ code: 'NO_POINTS', status: 422 });
    expect(e.message).toMatch(/^log.nmea: no valid/);
  });
});

describe('parseSentence', () => {
  it('verifies the checksum and ignores a logger prefix', () => {
    expect(parseSentence('2026-02-03 08:00:00 $GPGSA,A,3,04,05,09,12,,,,,,,,,1.8,0.9,1.5*3D')).toMatchObject({ type: 'GSA', checked: true });
    expect(parseSentence('$GPGSA,A,3,04,05,09,12,,,,,,,,,1.8,0.9,1.5*3E')).toBe('bad-checksum');
    expect(parseSentence('$GNRMC,000001.00,V,,,,,,,040226,,,N')).toMatchObject({ type: 'RMC', checked: false });
    expect(parseSentence('hello')).toBeNull();
  });
});
