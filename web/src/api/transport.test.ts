import { describe, expect, it } from 'vitest';
import { sharesSent } from './transport.js';

describe('sharesSent', () => {
  it('fills the files in order as the body goes out', () => {
    expect(sharesSent([100, 300], 0, 400)).toEqual([0, 0]);
    expect(sharesSent([100, 300], 50, 400)).toEqual([0.5, 0]);
    expect(sharesSent([100, 300], 250, 400)).toEqual([1, 0.5]);
    expect(sharesSent([100, 300], 400, 400)).toEqual([1, 1]);
  });

  it('copes with empty files and an unknown total', () => {
    expect(sharesSent([0, 10], 5, 10)).toEqual([0, 0.5]);
    expect(sharesSent([0, 10], 10, 10)).toEqual([1, 1]);
    expect(sharesSent([10], 3, 0)).toEqual([1]);
  });
});
