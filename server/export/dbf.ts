/** A dBASE III field as the shapefile's attribute table declares it. */
export interface DbfField {
  /** At most 10 ASCII bytes: the format's hard limit. */
  name: string;
  type: 'C' | 'N';
  /** Bytes: text fields at most 254, numbers at most 20. */
  length: number;
  decimals?: number;
}

export type DbfValue = string | number | null;

const HEADER_BYTES = 32;
const FIELD_DESCRIPTOR_BYTES = 32;
export const MAX_TEXT_BYTES = 254;

/**
 * Cuts a string to at most `maxBytes` of UTF-8 without splitting a character: a Lao letter is
 * three bytes, so cutting at a byte count would leave a broken sequence that readers show as
 * garbage.
 */
export function truncateUtf8(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text, 'utf8') <= maxBytes) return text;
  let bytes = 0;
  let out = '';
  for (const char of text) {
    const size = Buffer.byteLength(char, 'utf8');
    if (bytes + size > maxBytes) break;
    bytes += size;
    out += char;
  }
  return out;
}

/**
 * Text fields sized to their longest value in UTF-8 bytes (not characters: the DBF counts
 * bytes, and Lao takes three per letter), at least 1 and at most 254.
 */
export function textFieldLength(values: (string | null)[]): number {
  const longest = Math.max(1, ...values.map((v) => (v === null ? 0 : Buffer.byteLength(v, 'utf8'))));
  return Math.min(MAX_TEXT_BYTES, longest);
}

function checkField(field: DbfField): void {
  if (!/^[A-Za-z][A-Za-z0-9_]{0,9}$/.test(field.name)) throw new RangeError(`DBF field name '${field.name}' must be 1-10 ASCII letters, digits or _`);
  const max = field.type === 'C' ? MAX_TEXT_BYTES : 20;
  if (!(field.length >= 1 && field.length <= max)) throw new RangeError(`DBF field ${field.name} length ${field.length} is outside 1..${max}`);
}

/** A number right-aligned in its field; blank (the DBF null) when missing or too wide. */
function numberCell(value: DbfValue, field: DbfField): string {
  if (value === null || value === '' || !Number.isFinite(Number(value))) return ' '.repeat(field.length);
  const text = Number(value).toFixed(field.decimals ?? 0);
  if (text.length > field.length) throw new RangeError(`value ${text} does not fit DBF field ${field.name} (${field.length} bytes)`);
  return text.padStart(field.length, ' ');
}

/**
 * Writes a dBASE III table with UTF-8 text (declared by the `.cpg` written alongside). Text is
 * left-aligned and space-padded by bytes; numbers right-aligned; nulls blank. Header date is
 * `date` so the same data gives the same bytes.
 */
export function writeDbf(fields: DbfField[], records: DbfValue[][], date: Date): Buffer {
  fields.forEach(checkField);
  const recordLength = 1 + fields.reduce((sum, f) => sum + f.length, 0);
  const headerLength = HEADER_BYTES + fields.length * FIELD_DESCRIPTOR_BYTES + 1;
  const buffer = Buffer.alloc(headerLength + records.length * recordLength + 1, 0);
  buffer.writeUInt8(0x03, 0);
  buffer.writeUInt8(date.getUTCFullYear() - 1900, 1);
  buffer.writeUInt8(date.getUTCMonth() + 1, 2);
  buffer.writeUInt8(date.getUTCDate(), 3);
  buffer.writeUInt32LE(records.length, 4);
  buffer.writeUInt16LE(headerLength, 8);
  buffer.writeUInt16LE(recordLength, 10);
  fields.forEach((field, i) => {
    const at = HEADER_BYTES + i * FIELD_DESCRIPTOR_BYTES;
    buffer.write(field.name, at, 'ascii');
    buffer.write(field.type, at + 11, 'ascii');
    buffer.writeUInt8(field.length, at + 16);
    buffer.writeUInt8(field.decimals ?? 0, at + 17);
  });
  buffer.writeUInt8(0x0d, headerLength - 1);
  records.forEach((record, r) => {
    if (record.length !== fields.length) throw new RangeError(`DBF record ${r + 1} has ${record.length} values for ${fields.length} fields`);
    let at = headerLength + r * recordLength;
    buffer.write(' ', at++, 'ascii');
    fields.forEach((field, i) => {
      const value = record[i];
      if (field.type === 'N') {
        buffer.write(numberCell(value, field), at, 'ascii');
      } else {
        const text = value === null ? '' : truncateUtf8(String(value), field.length);
        const written = buffer.write(text, at, 'utf8');
        buffer.fill(0x20, at + written, at + field.length);
      }
      at += field.length;
    });
  });
  buffer.writeUInt8(0x1a, buffer.length - 1);
  return buffer;
}
