import { describe, expect, it } from 'vitest';
import { parseLanguage, translate } from './index.js';
import { en, lo } from './strings.js';

describe('interface strings', () => {
  it('has a Lao string for every English one', () => {
    for (const key of Object.keys(en) as (keyof typeof en)[]) expect(lo[key].trim(), key).not.toBe('');
  });

  it('fills placeholders and leaves unknown ones visible', () => {
    expect(translate('en', 'search.none', { q: 'Nakham' })).toBe('No area matches “Nakham”.');
    expect(translate('lo', 'derive.committed', { version: 3 })).toBe('ບັນທຶກເປັນສະບັບ 3 ແລ້ວ.');
    expect(translate('en', 'search.none')).toBe('No area matches “{q}”.');
  });

  it('accepts only languages it has', () => {
    expect(parseLanguage('lo')).toBe('lo');
    expect(parseLanguage('km')).toBeNull();
    expect(parseLanguage(null)).toBeNull();
  });
});
