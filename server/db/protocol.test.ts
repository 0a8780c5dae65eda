import { describe, expect, it } from 'vitest';
import { readyForQueryFilter } from './protocol.js';

const frame = (type: string, body: number[] = []) => Buffer.from([type.charCodeAt(0), 0, 0, 0, 4 + body.length, ...body]);

describe('readyForQueryFilter', () => {
  it('passes Sync and simple Query replies through untouched', () => {
    expect(readyForQueryFilter('S'.charCodeAt(0))).toBeNull();
    expect(readyForQueryFilter('Q'.charCodeAt(0))).toBeNull();
    expect(readyForQueryFilter(0)).toBeNull(); // startup message
  });

  it('drops ReadyForQuery from an Execute reply, even split across chunks', () => {
    const filter = readyForQueryFilter('E'.charCodeAt(0))!;
    const error = frame('E', [83, 69, 0, 0]);
    const ready = frame('Z', ['I'.charCodeAt(0)]);
    const out: Buffer[] = [];
    const all = Buffer.concat([error, ready]);
    filter(all.subarray(0, 3), (d) => out.push(Buffer.from(d)));
    filter(all.subarray(3, 9), (d) => out.push(Buffer.from(d)));
    filter(all.subarray(9), (d) => out.push(Buffer.from(d)));
    expect(Buffer.concat(out)).toEqual(error);
  });
});
