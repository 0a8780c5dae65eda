import type { Feature, FeatureCollection, MultiPolygon } from 'geojson';
import type { ApiClient } from '../api/client.js';
import {
  PARENT_METHODS,
  VILLAGE_METHODS,
  type Area,
  type AreaSummary,
  type DeriveMethod,
  type DeriveMetrics,
  type DeriveProblem,
  type DeriveResult,
} from '../api/types.js';
import { currentLanguage, t, type StringKey } from '../i18n/index.js';
import { h, replaceChildren } from './dom.js';
import { formatCount } from './format.js';
import { errorText } from './upload.js';

/** What the map must show while a derive is in progress. */
export interface DeriveHooks {
  preview(features: FeatureCollection | null): void;
  committed(area: Area): void;
}

const DEFAULT_TOLERANCE_M = 30;

/** The methods offered for an area: one village's own, or all villages of a kumban or district at once. */
export function methodsFor(area: AreaSummary | null): readonly DeriveMethod[] {
  if (!area) return [];
  if (area.level === 'ban') return VILLAGE_METHODS;
  if (area.level === 'kumban' || area.level === 'district') return PARENT_METHODS;
  return [];
}

/** Everything a derive drew, as one collection: each village's polygon and the rebuilt parent. */
export function previewFeatures(result: DeriveResult): FeatureCollection {
  const features: Feature[] = [];
  const add = (geometry: MultiPolygon | null | undefined, role: string, code: string) => {
    if (geometry) features.push({ type: 'Feature', geometry, properties: { role, code } });
  };
  add(result.geometry, 'area', result.area.code);
  for (const village of result.villages ?? []) add(village.geometry, 'village', village.area.code);
  add(result.parent?.geometry, 'parent', result.area.code);
  return { type: 'FeatureCollection', features };
}

/** A problem in words: the server's message, else its kind with the area it concerns. */
export function problemText(problem: DeriveProblem): string {
  if (problem.message) return problem.message;
  const where = problem.code ? ` ${problem.code}` : '';
  const size = typeof problem.area_m2 === 'number' ? ` (${Math.round(problem.area_m2).toLocaleString('en-GB')} m²)` : '';
  return `${problem.kind}${where}${size}`;
}

/**
 * Deriving boundaries from field data. A village offers its own methods (perimeter walk,
 * marker ring); a kumban or district derives all its villages at once (walked boundary
 * segments, provisional Voronoi cells) or is rebuilt as the dissolve of its villages. First a
 * preview with measures and problems (drawn dashed on the map), then an explicit commit,
 * because a committed boundary becomes a new version neighbours and the district will see.
 */
export class DerivePanel {
  private area: AreaSummary | null = null;
  private method: DeriveMethod | null = null;
  private toleranceM = DEFAULT_TOLERANCE_M;
  private preview: DeriveResult | null = null;
  private busy = false;
  private message: { kind: 'error' | 'info'; text: string } | null = null;

  constructor(
    private readonly container: HTMLElement,
    private readonly api: ApiClient,
    private readonly token: () => string,
    private readonly hooks: DeriveHooks,
  ) {
    this.render();
  }

  /** A new selection drops any preview of the previous one. */
  setArea(area: AreaSummary | null): void {
    if (area?.code !== this.area?.code) {
      this.preview = null;
      this.message = null;
      this.hooks.preview(null);
      const methods = methodsFor(area);
      if (!this.method || !methods.includes(this.method)) this.method = methods[0] ?? null;
    }
    this.area = area;
    this.render();
  }

  /** Redraws in the current language. */
  render(): void {
    const title = h('h3', { class: 'subsection-title' }, t('derive.title'));
    const area = this.area;
    const methods = methodsFor(area);
    if (!area || !methods.length || !this.method) {
      replaceChildren(this.container, title, h('p', { class: 'hint' }, t('derive.chooseArea')));
      return;
    }
    const method = this.method;
    const usesTolerance = method !== 'dissolve' && method !== 'voronoi';
    replaceChildren(
      this.container,
      title,
      h(
        'div',
        { class: 'derive-form' },
        h('label', { for: 'derive-method' }, t('derive.method')),
        h(
          'select',
          {
            id: 'derive-method',
            onchange: (event) => {
              this.method = (event.target as HTMLSelectElement).value as DeriveMethod;
              this.discard();
            },
          },
          methods.map((m) => h('option', { value: m, selected: m === method }, t(`derive.method.${m}` as StringKey))),
        ),
        usesTolerance ? h('label', { for: 'derive-tolerance' }, t('derive.tolerance')) : null,
        usesTolerance
          ? h('input', {
              id: 'derive-tolerance',
              type: 'number',
              min: 0,
              max: 1000,
              step: 1,
              value: this.toleranceM,
              onchange: (event) => {
                const value = Number((event.target as HTMLInputElement).value);
                if (Number.isFinite(value) && value >= 0) this.toleranceM = value;
              },
            })
          : null,
      ),
      h('p', { class: 'hint' }, t(`derive.about.${method}` as StringKey)),
      h(
        'div',
        { class: 'actions' },
        h(
          'button',
          { type: 'button', class: 'button', 'data-action': 'preview', disabled: this.busy, onclick: () => void this.run(false) },
          this.busy && !this.preview ? t('derive.busy') : t('derive.preview'),
        ),
      ),
      this.preview ? this.renderPreview(this.preview) : null,
      h(
        'div',
        { role: 'status', 'aria-live': 'polite' },
        this.message ? h('p', { class: this.message.kind === 'error' ? 'error' : 'success' }, this.message.text) : null,
      ),
    );
  }

  private renderPreview(result: DeriveResult): HTMLElement {
    const problems = [...(result.problems ?? []), ...(result.villages ?? []).flatMap((v) => v.problems ?? [])];
    return h(
      'div',
      { class: 'derive-preview' },
      h('p', { class: 'hint' }, t('derive.previewNote')),
      result.metrics ? metricsList(result.metrics) : null,
      result.villages?.length ? villageTable(result) : null,
      problems.length
        ? h(
            'div',
            { class: 'warnings' },
            h('p', { class: 'field-label' }, t('derive.problems')),
            h('ul', {}, problems.slice(0, 30).map((p) => h('li', { 'data-kind': p.kind }, problemText(p)))),
          )
        : null,
      h(
        'div',
        { class: 'actions' },
        h(
          'button',
          { type: 'button', class: 'button primary', disabled: this.busy, onclick: () => void this.run(true) },
          this.busy ? t('derive.busy') : t('derive.commit'),
        ),
        h('button', { type: 'button', class: 'button', disabled: this.busy, onclick: () => this.discard() }, t('derive.discard')),
      ),
    );
  }

  private async run(commit: boolean): Promise<void> {
    const area = this.area;
    const method = this.method;
    if (!area || !method || this.busy) return;
    const token = this.token();
    if (!token) {
      this.message = { kind: 'error', text: t('upload.noToken') };
      this.render();
      return;
    }
    this.busy = true;
    this.message = null;
    this.render();
    try {
      const usesTolerance = method !== 'dissolve' && method !== 'voronoi';
      const result = await this.api.derive(area.code, { method, toleranceM: usesTolerance ? this.toleranceM : undefined, commit, token });
      if (this.area?.code !== area.code) return;
      if (result.committed) {
        this.preview = null;
        this.hooks.preview(null);
        const count = result.villages?.length ?? 0;
        this.message = {
          kind: 'info',
          text: count ? t('derive.committedMany', { count, version: result.area.version }) : t('derive.committed', { version: result.area.version }),
        };
        this.hooks.committed(result.area);
      } else {
        this.preview = result;
        this.hooks.preview(previewFeatures(result));
      }
    } catch (error) {
      this.message = { kind: 'error', text: errorText(error) };
    } finally {
      this.busy = false;
      this.render();
    }
  }

  private discard(): void {
    this.preview = null;
    this.message = null;
    this.hooks.preview(null);
    this.render();
  }
}

function number(value: number, digits: number): string {
  return new Intl.NumberFormat(currentLanguage() === 'lo' ? 'lo-LA' : 'en-GB', {
    numberingSystem: 'latn',
    maximumFractionDigits: digits,
    minimumFractionDigits: digits,
  }).format(value);
}

function metricsList(metrics: DeriveMetrics): HTMLElement {
  const language = currentLanguage();
  return h(
    'dl',
    { class: 'facts compact' },
    h('dt', {}, t('derive.area')),
    h('dd', {}, `${number(metrics.area_ha, 1)} ${t('unit.ha')}`),
    h('dt', {}, t('derive.perimeter')),
    h('dd', {}, `${number(metrics.perimeter_km, 2)} ${t('unit.km')}`),
    h('dt', {}, t('derive.vertices')),
    h('dd', {}, formatCount(metrics.vertices, language)),
    metrics.readings_used !== undefined ? [h('dt', {}, t('derive.readings')), h('dd', {}, formatCount(metrics.readings_used, language))] : null,
    metrics.tolerance_m !== undefined ? [h('dt', {}, t('derive.tolerance')), h('dd', {}, `${number(metrics.tolerance_m, 1)} m`)] : null,
  );
}

/** One row per derived village: its area and perimeter, or that it got no polygon. */
function villageTable(result: DeriveResult): HTMLElement {
  return h(
    'table',
    { class: 'derive-villages' },
    h('thead', {}, h('tr', {}, h('th', {}, t('derive.village')), h('th', {}, t('unit.ha')), h('th', {}, t('unit.km')))),
    h(
      'tbody',
      {},
      (result.villages ?? []).map((village) =>
        h(
          'tr',
          { 'data-code': village.area.code },
          h('td', {}, village.area.name),
          h('td', { class: 'number' }, village.metrics ? number(village.metrics.area_ha, 1) : '–'),
          h('td', { class: 'number' }, village.metrics ? number(village.metrics.perimeter_km, 2) : '–'),
        ),
      ),
    ),
  );
}
