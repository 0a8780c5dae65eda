import { describe, expect, it } from 'vitest';
import { assignTrack, candidateCodes } from './assign.js';

const codes = new Set(['SK-01-01-001', 'SK-01-01-002']);

describe('assignTrack', () => {
  it('reads a shared boundary from "A|B"', () => {
    expect(assignTrack({ name: 'SK-01-01-001|SK-01-01-002', kind: 'track' }, codes, null)).toEqual({
      kind: 'segment', areaCode: 'SK-01-01-001', otherAreaCode: 'SK-01-01-002',
    });
    expect(assignTrack({ name: 'SK-01-01-001 | outside', kind: 'track' }, codes, null)).toEqual({
      kind: 'segment', areaCode: 'SK-01-01-001', otherAreaCode: null,
    });
  });

  it('reads a perimeter from a name that is a code, else uses the upload area', () => {
    expect(assignTrack({ name: 'SK-01-01-002', kind: 'track' }, codes, null).kind).toBe('perimeter');
    expect(assignTrack({ name: 'ACTIVE LOG', kind: 'track' }, codes, 'SK-01-01-001')).toEqual({
      kind: 'perimeter', areaCode: 'SK-01-01-001', otherAreaCode: null,
    });
    expect(assignTrack({ name: 'ACTIVE LOG', kind: 'track' }, codes, null)).toEqual({ kind: 'line', areaCode: null, otherAreaCode: null });
  });

  it('lists the codes a set of names may mention', () => {
    expect(candidateCodes(['A|B', 'C', undefined, ' D / E '])).toEqual(['A', 'B', 'C', 'D', 'E']);
  });
});
