import { describe, expect, it } from 'vitest';
import { countByStatus } from './legend.js';

describe('countByStatus', () => {
  it('counts villages only, with a zero for every status', () => {
    const counts = countByStatus([
      { level: 'ban', status: 'approved' },
      { level: 'ban', status: 'approved' },
      { level: 'ban', status: 'disputed' },
      { level: 'kumban', status: 'approved' },
    ]);
    expect(counts).toEqual({ planned: 0, provisional: 0, surveyed: 0, disputed: 1, agreed: 0, approved: 2 });
  });
});
