/**
 * What each country calls its administrative levels, from the top. The level keys (province,
 * district, kumban, ban) stay the API's codes everywhere; only the names people read change, so
 * a Cambodian commune is the `kumban` level labelled "Commune" / "ឃុំ".
 */
export interface LevelName {
  label: string;
  label_local: string | null;
}

const names = (...pairs: [string, string][]): LevelName[] => pairs.map(([label, local]) => ({ label, label_local: local }));

export const COUNTRY_LEVEL_NAMES: Record<string, LevelName[]> = {
  LA: names(['Province', 'ແຂວງ'], ['District', 'ເມືອງ'], ['Kumban', 'ກຸ່ມບ້ານ'], ['Village', 'ບ້ານ']),
  KH: names(['Province', 'ខេត្ត'], ['District', 'ស្រុក'], ['Commune', 'ឃុំ'], ['Village', 'ភូមិ']),
  ML: names(['Region', 'Région'], ['Cercle', 'Cercle'], ['Commune', 'Commune'], ['Village', 'Village']),
  TM: names(['Velayat', 'Welaýat'], ['Etrap', 'Etrap'], ['Gengeshi', 'Geňeşlik'], ['Village', 'Oba']),
};

/**
 * The level names to use: `TESSERA_LEVEL_NAMES` when set (top down, comma-separated, each
 * `Label` or `Label|local label`, e.g. `Region|Région,Cercle,Commune,Village`), else the
 * country's. Throws a message naming the setting when the list cannot be read.
 */
export function levelNamesFor(country: string, override: string | undefined): LevelName[] {
  if (override === undefined || override.trim() === '') {
    const known = COUNTRY_LEVEL_NAMES[country];
    if (!known) throw new Error(`TESSERA_COUNTRY '${country}' has no level names; use one of ${Object.keys(COUNTRY_LEVEL_NAMES).join(', ')} or set TESSERA_LEVEL_NAMES`);
    return known;
  }
  return override.split(',').map((entry, k) => {
    const [label, local, ...rest] = entry.split('|').map((s) => s.trim());
    if (!label || rest.length > 0 || local === '') {
      throw new Error(`TESSERA_LEVEL_NAMES: level ${k + 1} ('${entry.trim()}') must be 'Label' or 'Label|local label'`);
    }
    return { label, label_local: local ?? null };
  });
}
