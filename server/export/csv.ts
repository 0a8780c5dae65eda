import type { ExportArea } from './model.js';

/** The columns of the area statistics sheet, in order. */
export const CSV_COLUMNS = [
  'code', 'name', 'name_local', 'level', 'parent', 'status', 'area_ha', 'perimeter_km', 'population', 'households', 'version',
] as const;

type Cell = string | number | null;

// eslint-disable-next-line no-control-regex
const FORMULA_START = /^[=+\-@\t\r\u0000]/;

/**
 * A text cell made safe for spreadsheets (OWASP ASVS 1.2.10): one starting with = + - @ tab, CR
 * or NUL is prefixed with `'` so Excel and LibreOffice show it as text instead of running it as
 * a formula. Quoting alone does not stop that.
 */
export function neutraliseFormula(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

/** RFC 4180 quoting: a field with a comma, quote or line break is quoted, quotes doubled. */
export function quoteCsv(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function cell(value: Cell): string {
  if (value === null) return '';
  if (typeof value === 'number') return String(value);
  return quoteCsv(neutraliseFormula(value));
}

function row(area: ExportArea): Cell[] {
  return [
    area.code,
    area.name,
    area.name_local,
    area.level,
    area.parent_code,
    area.status,
    area.area_m2 === null ? null : Number((area.area_m2 / 10_000).toFixed(4)),
    area.perimeter_m === null ? null : Number((area.perimeter_m / 1000).toFixed(4)),
    area.population,
    area.households,
    area.version,
  ];
}

/**
 * The area statistics as CSV (RFC 4180, CRLF), UTF-8 with a byte-order mark so Excel opens Lao
 * names correctly. Numbers are plain, text is formula-neutralised and quoted where needed.
 */
export function writeCsv(areas: ExportArea[]): Buffer {
  const lines = [CSV_COLUMNS.join(','), ...areas.map((a) => row(a).map(cell).join(','))];
  return Buffer.from(`\uFEFF${lines.join('\r\n')}\r\n`, 'utf8');
}
