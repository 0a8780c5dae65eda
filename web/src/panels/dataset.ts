import { DATASET_TARGETS, type DatasetReport, type DatasetTarget, type Level, type LevelKey } from '../api/types.js';
import { currentLanguage, t, type StringKey } from '../i18n/index.js';
import { h } from './dom.js';
import { formatCount } from './format.js';
import { levelLabel } from './levels.js';

/**
 * How a boundary dataset's features become areas: the level they are, how each finds its
 * parent (one code for all, or spatially by `contains`), which field holds what, and the CRS
 * when the files carry none. Sent as the upload's multipart fields.
 */
export interface DatasetMapping {
  level: LevelKey | '';
  parent: string;
  parentByContainment: boolean;
  fields: Partial<Record<DatasetTarget, string>>;
  crs: string;
  layer: string;
}

/** Field names that usually hold each target, lower case; the server's guess wins when it sends one. */
const FIELD_HINTS: Record<DatasetTarget, RegExp> = {
  code: /^(code|.*_code|.*code$|vil_?id|id_?vil|pcode|insee|code_insee)$/,
  name: /^(name|name_?e(n|ng)?|.*_name_?e(n|ng)?|nom|village|vill_?name|ban_?name)$/,
  name_local: /^(name_?(lo|la|lao|l|local)|.*_name_?(lo|lao|l)|nom_?local)$/,
  parent: /^(parent|parent_?code|kb_?code|kumban_?code|dist_?code|district_?code)$/,
  status: /^(status|state)$/,
  population: /^(pop|population|pop_?\d{4}|people)$/,
  households: /^(hh|households|house_?holds|nb_?hh)$/,
};

/** The mapping a mapper starts from: the server's suggestions, else field names that match. */
export function initialMapping(report: DatasetReport, levelHint: LevelKey | '', parentHint: string): DatasetMapping {
  const names = report.fields.map((field) => field.name);
  const fields: Partial<Record<DatasetTarget, string>> = {};
  for (const target of DATASET_TARGETS) {
    const suggested = report.suggested_fields?.[target];
    const guessed = names.find((name) => FIELD_HINTS[target].test(name.toLowerCase()));
    const pick = suggested && names.includes(suggested) ? suggested : guessed;
    if (pick && !Object.values(fields).includes(pick)) fields[target] = pick;
  }
  const inTarget = report.crs_proposals.find((proposal) => proposal.inTarget) ?? report.crs_proposals[0];
  return {
    level: levelHint,
    parent: parentHint,
    parentByContainment: !parentHint && !fields.parent,
    fields,
    crs: report.crs ? '' : (inTarget?.crs ?? ''),
    layer: report.layer,
  };
}

/** The multipart fields of an import with this mapping (`fields=code=VIL_CODE,name=NAME_E`). */
export function mappingFields(mapping: DatasetMapping): Record<string, string> {
  const pairs = DATASET_TARGETS.filter((target) => mapping.fields[target]).map((target) => `${target}=${mapping.fields[target]}`);
  const parent = mapping.fields.parent ? '' : mapping.parentByContainment ? 'contains' : mapping.parent.trim();
  return {
    level: mapping.level,
    parent,
    fields: pairs.join(','),
    crs: mapping.crs,
    layer: mapping.layer,
  };
}

/** Why the mapping cannot be imported yet, or null when it can. */
export function mappingProblem(mapping: DatasetMapping, report: DatasetReport): StringKey | null {
  if (!mapping.level) return 'dataset.needLevel';
  if (!mapping.fields.code) return 'dataset.needCode';
  if (!mapping.fields.name) return 'dataset.needName';
  if (!report.crs && !mapping.crs) return 'dataset.needCrs';
  return null;
}

function select(
  id: string,
  label: string,
  value: string,
  options: { value: string; label: string }[],
  onChange: (value: string) => void,
): HTMLElement {
  const control = h(
    'select',
    { id, onchange: (event) => onChange((event.target as HTMLSelectElement).value) },
    options.map((option) => h('option', { value: option.value, selected: option.value === value }, option.label)),
  );
  return h('div', { class: 'form-row' }, h('label', { for: id }, label), control);
}

/**
 * The field-mapping form shown after a dataset's dry run: what the server found (CRS, encoding,
 * features, problems) and one control per decision, each change calling back with a new mapping.
 */
export function renderDatasetForm(
  report: DatasetReport,
  mapping: DatasetMapping,
  levels: readonly Level[],
  onChange: (mapping: DatasetMapping) => void,
): HTMLElement {
  const language = currentLanguage();
  const count = (value: number) => formatCount(value, language) ?? String(value);
  const set = (patch: Partial<DatasetMapping>) => onChange({ ...mapping, ...patch });
  const fieldOptions = [{ value: '', label: t('dataset.none') }, ...report.fields.map((field) => ({ value: field.name, label: `${field.name} (${field.samples.slice(0, 2).join(', ')})` }))];
  const levelOptions = [{ value: '', label: t('dataset.chooseLevel') }, ...levels.map((level) => ({ value: level.key, label: levelLabel(levels, level.key, language) }))];
  return h(
    'div',
    { class: 'dataset-form' },
    renderDatasetFacts(report),
    report.layers.length > 1
      ? select('dataset-layer', t('dataset.layer'), mapping.layer, report.layers.map((layer) => ({ value: layer, label: layer })), (layer) => set({ layer }))
      : null,
    !report.crs
      ? select(
          'dataset-crs',
          t('dataset.crs'),
          mapping.crs,
          [{ value: '', label: t('dataset.chooseCrs') }, ...report.crs_proposals.map((p) => ({ value: p.crs, label: `${p.crs} (${p.datum})${p.inTarget ? ' ✓' : ''}` }))],
          (crs) => set({ crs }),
        )
      : null,
    select('dataset-level', t('dataset.level'), mapping.level, levelOptions, (level) => set({ level: level as LevelKey | '' })),
    DATASET_TARGETS.map((target) =>
      select(`dataset-field-${target}`, t(`dataset.field.${target}` as StringKey), mapping.fields[target] ?? '', fieldOptions, (name) =>
        set({ fields: { ...mapping.fields, [target]: name || undefined } }),
      ),
    ),
    mapping.fields.parent
      ? null
      : h(
          'div',
          { class: 'form-row' },
          h(
            'label',
            { class: 'checkbox' },
            h('input', {
              type: 'checkbox',
              id: 'dataset-contains',
              checked: mapping.parentByContainment,
              onchange: (event) => set({ parentByContainment: (event.target as HTMLInputElement).checked }),
            }),
            ' ',
            t('dataset.contains'),
          ),
          mapping.parentByContainment
            ? null
            : h(
                'label',
                { for: 'dataset-parent' },
                t('dataset.parent'),
                h('input', {
                  id: 'dataset-parent',
                  type: 'text',
                  value: mapping.parent,
                  onchange: (event) => set({ parent: (event.target as HTMLInputElement).value }),
                }),
              ),
        ),
    h('p', { class: 'hint' }, t('dataset.features', { count: count(report.features) })),
  );
}

/** What the server found in a dataset, and after an import what it wrote. */
export function renderDatasetFacts(report: DatasetReport): HTMLElement {
  const language = currentLanguage();
  const count = (value: number) => formatCount(value, language) ?? String(value);
  const types = Object.entries(report.geometry_types)
    .map(([type, n]) => `${type} ${count(n)}`)
    .join(', ');
  return h(
    'section',
    { class: 'file-report' },
    h('h4', {}, report.file, ' ', h('span', { class: 'result-meta' }, report.format)),
    h(
      'dl',
      { class: 'facts compact' },
      h('dt', {}, t('dataset.crs')),
      h('dd', {}, report.crs ?? t('dataset.noCrs'), report.datum ? ` (${report.datum})` : ''),
      h('dt', {}, t('dataset.encoding')),
      h('dd', {}, `${report.encoding.encoding} (${report.encoding.source})`),
      h('dt', {}, t('dataset.geometries')),
      h('dd', {}, types || '-'),
      report.created || report.updated
        ? [h('dt', {}, t('dataset.written')), h('dd', {}, t('dataset.writtenCounts', { created: count(report.created), updated: count(report.updated), skipped: count(report.skipped) }))]
        : null,
    ),
    report.problems.length
      ? h(
          'div',
          { class: 'warnings' },
          h('p', { class: 'field-label' }, t('dataset.problems')),
          h('ul', {}, report.problems.slice(0, 20).map((p) => h('li', {}, `#${p.record}: ${p.problem}`))),
        )
      : null,
    report.repairs.length
      ? h(
          'div',
          { class: 'warnings' },
          h('p', { class: 'field-label' }, t('dataset.repairs')),
          h('ul', {}, report.repairs.slice(0, 20).map((r) => h('li', {}, `#${r.record}${r.code ? ` ${r.code}` : ''}: ${r.reason} (${r.area_change_pct.toFixed(2)} %)`))),
        )
      : null,
    report.warnings.length
      ? h('div', { class: 'warnings' }, h('p', { class: 'field-label' }, t('report.warnings')), h('ul', {}, report.warnings.map((w) => h('li', {}, w))))
      : null,
  );
}
