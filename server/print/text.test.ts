import { describe, expect, it } from 'vitest';
import { laoForRendering, textRuns } from './text.js';

describe('textRuns', () => {
  it('splits Lao from Latin and keeps spaces and digits with the run they follow', () => {
    expect(textRuns('Ban Nongbua ບ້ານໜອງບົວ 3')).toEqual([
      { text: 'Ban Nongbua ', family: 'latin' },
      { text: 'ບ້ານໜອງບົວ 3', family: 'lao' },
    ]);
  });

  it('starts neutral text in the Latin font', () => {
    expect(textRuns('12 ກະລຶມ')).toEqual([
      { text: '12 ', family: 'latin' },
      { text: 'ກະລຶມ', family: 'lao' },
    ]);
  });
});

describe('laoForRendering', () => {
  it('moves the ring of SARA AM before a tone mark, as HarfBuzz does', () => {
    expect(laoForRendering('ນ້ຳ')).toBe('ນ\u0ECD\u0EC9\u0EB2');
  });

  it('leaves text without tone mark + SARA AM unchanged', () => {
    for (const s of ['ບ້ານໜອງບົວ', 'ແຂວງເຊກອງ', 'ກະລຶມ', 'ຄຳ']) expect(laoForRendering(s)).toBe(s);
  });
});
