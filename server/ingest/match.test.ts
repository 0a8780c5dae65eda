import { describe, expect, it } from 'vitest';
import { basicKey, matchVillage, spellingKey, type VillageCandidate } from './match.js';

const villages: VillageCandidate[] = [
  { code: 'SK-01-02-001', name: 'Ban Phonsavanh', name_local: 'ບ້ານໂພນສະຫວັນ' },
  { code: 'SK-01-02-002', name: 'Ban Xieng Pheung', name_local: 'ບ້ານຊຽງເຜິ້ງ' },
  { code: 'SK-01-03-004', name: 'Ban Houay Kong', name_local: 'ບ້ານຫ້ວຍກອງ' },
  { code: 'SK-02-01-001', name: 'Ban Nong Kham', name_local: 'ບ້ານໜອງຄຳ' },
  { code: 'SK-03-02-005', name: 'Ban Nongkham', name_local: null },
  { code: 'SK-04-01-003', name: 'Ban Banphone', name_local: null },
];

describe('matchVillage', () => {
  it.each([
    ['SK-01-02-001', 'SK-01-02-001', 'code'],
    ['sk-01-02-002', 'SK-01-02-002', 'code'],
    ['Ban Phonsavanh', 'SK-01-02-001', 'name'],
    ['B. Phonsavanh', 'SK-01-02-001', 'name'],
    ['BAN PHON-SAVANH', 'SK-01-02-001', 'name'],
    ['Bane Phon Savanh', 'SK-01-02-001', 'name'],
    ['Ponsavan', 'SK-01-02-001', 'spelling'],
    ['ban sieng peung', 'SK-01-02-002', 'spelling'],
    ['Huay Kong', 'SK-01-03-004', 'spelling'],
    ['Houayy Khong', 'SK-01-03-004', 'spelling'],
    ['ບ້ານໂພນສະຫວັນ', 'SK-01-02-001', 'name'],
    ['ໂພນສະຫວັນ', 'SK-01-02-001', 'name'],
    ['ບ້ານ ຫວຍກອງ', 'SK-01-03-004', 'name'],
    ['Banphone', 'SK-04-01-003', 'name'],
  ])('matches %s to %s by %s', (typed, code, how) => {
    expect(matchVillage(typed, villages)).toEqual({ match: code, ambiguous: [], how });
  });

  it('reports two equally good villages as ambiguous, never picking one', () => {
    expect(matchVillage('Ban Nong Kham', villages)).toEqual({ match: null, ambiguous: ['SK-02-01-001', 'SK-03-02-005'], how: 'name (ambiguous)' });
    expect(matchVillage('Nongkam', villages).ambiguous).toEqual(['SK-02-01-001', 'SK-03-02-005']);
  });

  it('matches nothing for landmarks and empty names', () => {
    expect(matchVillage('Big tamarind tree', villages)).toEqual({ match: null, ambiguous: [], how: 'no village of that name' });
    expect(matchVillage('  ', villages).match).toBeNull();
    expect(matchVillage('Ban', villages).match).toBeNull();
  });

  it('normalises idempotently', () => {
    for (const v of villages) {
      expect(basicKey(basicKey(v.name))).toBe(basicKey(v.name));
      expect(spellingKey(spellingKey(v.name))).toBe(spellingKey(v.name));
    }
  });
});
