import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { sampleVillageInput } from './sampleVillage.js';
import { prepareSheet } from './sheetData.js';
import { renderPng, renderVillageMap } from './villageMap.js';

const hasPoppler = spawnSync('pdftotext', ['-v']).error === undefined;
const artifacts = join(dirname(fileURLToPath(import.meta.url)), '../../artifacts/print');

/** Runs a poppler tool on a PDF given on stdin. */
function poppler(tool: string, args: string[], pdf: Buffer): string {
  return execFileSync(tool, args, { input: pdf }).toString('utf8');
}

describe.skipIf(!hasPoppler)('renderVillageMap (synthetic village near Lamam, Sekong)', () => {
  const input = sampleVillageInput();
  let pdf: Buffer;
  let text: string;

  beforeAll(async () => {
    pdf = await renderVillageMap(input);
    text = poppler('pdftotext', ['-', '-'], pdf);
    mkdirSync(artifacts, { recursive: true });
    writeFileSync(join(artifacts, 'village-auto.pdf'), pdf);
    writeFileSync(join(artifacts, 'village-auto.png'), await renderPng(pdf, 110));
  });

  it('is a one-page PDF of a standard paper size', () => {
    const info = poppler('pdfinfo', ['-'], pdf);
    expect(info).toMatch(/Pages:\s+1\n/);
    expect(info).toMatch(/Page size:\s+(595\.2\d* x 841\.89|841\.89 x 595\.2\d*)/);
    expect(info).toMatch(/Title:\s+Ban Nongbua/);
  });

  it('prints the romanised and Lao names of the village, its neighbours and parents', () => {
    for (const name of ['Ban Nongbua', 'ບ້ານໜອງບົວ', 'Ban Kalum', 'ບ້ານກະລຶມ', 'Ban Dakchung', 'Ban Nam Tok', 'ບ້ານນ້ຳຕົກ', 'ເຊກອງ', 'Lamam']) {
      expect(text).toContain(name);
    }
  });

  it('prints the scale ratio, the UTM zone and the grid coordinates', () => {
    expect(text).toMatch(/1:(5|10|25|50|100),000/);
    expect(text).toContain('WGS 84 / UTM zone 48N (EPSG:32648)');
    expect(text).toMatch(/68[0-9]000 mE/);
    expect(text).toMatch(/170[0-9]000 mN/);
  });

  it('lists every marker with its UTM easting and northing', () => {
    // -raw keeps drawing order: number, name (maybe over two lines), easting, northing.
    const table = poppler('pdftotext', ['-raw', '-', '-'], pdf);
    const { markers } = prepareSheet(input);
    expect(markers).toHaveLength(5);
    for (const m of markers) {
      expect(m.easting).toBeGreaterThan(600_000);
      const name = m.name.split(' ').join('\\s+');
      expect(table).toMatch(new RegExp(`\\b${m.number}\\s+${name}\\s+${m.easting}\\s+${m.northing}\\b`));
    }
  });

  it('carries the record, signature blocks, version and print date', () => {
    for (const label of ['Village chief', 'ນາຍບ້ານ', 'Neighbouring village chief', 'District official', 'ເຈົ້າໜ້າທີ່ເມືອງ', 'Signature, name']) {
      expect(text).toContain(label);
    }
    expect(text.match(/Neighbouring village chief/g)).toHaveLength(3);
    expect(text).toMatch(/Area\s+\d[\d,]*\.\d\d ha/);
    expect(text).toMatch(/Perimeter\s+\d+\.\d\d km/);
    expect(text).toContain('version 3');
    expect(text).toContain('2025-01-15');
  });

  it('keeps label halos out of the text layer', () => {
    // Once on the map and once in the table or signature block; a halo would add a third.
    expect(text.match(/Big tamarind tree/g)).toHaveLength(2);
    expect(text.match(/Ban Kalum/g)).toHaveLength(2);
    expect(text.match(/ບ້ານກະລຶມ/g)).toHaveLength(2);
  });

  it('embeds subsets of Noto Sans and Noto Sans Lao', () => {
    const fonts = poppler('pdffonts', ['-'], pdf);
    expect(fonts).toMatch(/\+NotoSans-Regular\s+CID TrueType\s+Identity-H\s+yes yes yes/);
    expect(fonts).toMatch(/\+NotoSansLao-Regular\s+CID TrueType\s+Identity-H\s+yes yes yes/);
    expect(fonts).toMatch(/\+NotoSansLao-Bold/);
  });

  it('is deterministic: the same input gives the same bytes', async () => {
    expect((await renderVillageMap(sampleVillageInput())).equals(pdf)).toBe(true);
  });

  it('changes with the print date and stays small', async () => {
    const later = await renderVillageMap(sampleVillageInput({ printedAt: new Date('2025-02-01T00:00:00Z') }));
    expect(later.equals(pdf)).toBe(false);
    expect(pdf.length).toBeLessThan(150_000);
  });


  it.each([
    ['A4', 'landscape', '841.89 x 595.2'],
    ['A3', 'portrait', '841.89 x 1190.55'],
  ] as const)('honours %s %s', async (paper, orientation, size) => {
    const sheet = await renderVillageMap(sampleVillageInput({ paper, orientation }));
    expect(poppler('pdfinfo', ['-'], sheet)).toMatch(new RegExp(`Page size:\\s+${size}`));
    writeFileSync(join(artifacts, `village-${paper}-${orientation}.png`), await renderPng(sheet, 110));
  });

  it('prints a village without markers, tracks, disputes, QR or parents', async () => {
    const bare = sampleVillageInput({ markers: [], tracks: [], disputes: [], parents: [], versionUrl: undefined });
    const sheet = await renderVillageMap(bare);
    const bareText = poppler('pdftotext', ['-', '-'], sheet);
    expect(bareText).toContain('No boundary markers recorded.');
    expect(bareText).not.toContain('GPS track');
    writeFileSync(join(artifacts, 'village-bare.png'), await renderPng(sheet, 110));
  });

  it('renders a PNG preview through pdftoppm', async () => {
    const png = await renderPng(pdf, 40);
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
  });
});

describe('renderVillageMap input checks', () => {
  it('refuses a village without geometry', async () => {
    const input = sampleVillageInput();
    await expect(renderVillageMap({ ...input, village: { ...input.village, geometry: null } })).rejects.toThrow(/no geometry/);
  });
});
