import type { ApiClient } from '../api/client.js';
import { DERIVE_METHODS, type Area, type AreaSummary, type Level } from '../api/types.js';
import { currentLanguage, t, type StringKey } from '../i18n/index.js';
import { STATUS_COLOURS } from '../map/palette.js';
import { atlasDownload } from './atlas.js';
import { h, replaceChildren } from './dom.js';
import { formatCount, formatDate, formatHectares, formatKilometres } from './format.js';
import { levelLabel } from './levels.js';

/** A derive method by its name in the page language; other methods (import, edit) as stored. */
function methodLabel(method: string): string {
  return (DERIVE_METHODS as readonly string[]).includes(method) ? t(`derive.method.${method}` as StringKey) : method;
}

/**
 * Facts about the selected area: both names, code, level, status, measures, people, version,
 * and the printable map. Shows the list entry at once and the full record when it arrives.
 */
export class AreaPanel {
  private area: AreaSummary | Area | null = null;
  private parent: AreaSummary | null = null;
  private levels: Level[] = [];

  constructor(
    private readonly container: HTMLElement,
    private readonly api: ApiClient,
    private readonly onZoom: (area: AreaSummary) => void,
  ) {
    this.render();
  }

  /** Level names for the "Level" row. */
  setLevels(levels: Level[]): void {
    this.levels = levels;
    this.render();
  }

  /** Shows an area (or the empty-state hint for `null`), with its parent for context. */
  setArea(area: AreaSummary | Area | null, parent: AreaSummary | null = null): void {
    this.area = area;
    this.parent = parent;
    this.render();
  }

  /** Redraws in the current language. */
  render(): void {
    const title = h('h2', { class: 'section-title', id: 'area-title' }, t('area.title'));
    const area = this.area;
    if (!area) {
      replaceChildren(this.container, title, h('p', { class: 'hint' }, t('area.none')));
      return;
    }
    const language = currentLanguage();
    const unknown = t('area.unknown');
    const hectares = formatHectares(area.area_m2, language);
    const kilometres = formatKilometres(area.perimeter_m, language);
    const rows: [StringKey, Node | string][] = [
      ['area.code', h('code', {}, area.code)],
      ['area.level', levelLabel(this.levels, area.level, language)],
      ['area.parent', this.parent ? `${this.parent.name} · ${this.parent.name_local}` : unknown],
      [
        'area.status',
        h(
          'span',
          { class: 'status-badge', 'data-status': area.status },
          h('span', { class: 'swatch', style: `background:${STATUS_COLOURS[area.status]}`, 'aria-hidden': 'true' }),
          t(`status.${area.status}` as StringKey),
        ),
      ],
      ['area.area', hectares ? `${hectares} ${t('unit.ha')}` : unknown],
      ['area.perimeter', kilometres ? `${kilometres} ${t('unit.km')}` : unknown],
      ['area.population', formatCount(area.population, language) ?? unknown],
      ['area.households', formatCount(area.households, language) ?? unknown],
      ['area.version', String(area.version)],
    ];
    if ('updated_at' in area) {
      rows.push(['area.method', area.method ? methodLabel(area.method) : unknown]);
      rows.push(['area.changed', formatDate(area.updated_at, language) ?? unknown]);
    }
    replaceChildren(
      this.container,
      title,
      h(
        'div',
        { class: 'area-names' },
        h('p', { class: 'area-name' }, area.name),
        area.name_local ? h('p', { class: 'area-local', lang: 'lo' }, area.name_local) : null,
      ),
      h('dl', { class: 'facts' }, rows.flatMap(([key, value]) => [h('dt', {}, t(key)), h('dd', {}, value)])),
      h(
        'div',
        { class: 'actions' },
        h('button', { type: 'button', class: 'button', onclick: () => this.onZoom(area) }, t('area.zoom')),
        h(
          'a',
          { class: 'button', href: this.api.mapPdfUrl(area.code), target: '_blank', rel: 'noopener', type: 'application/pdf' },
          t('area.pdf'),
        ),
        area.level === 'kumban' || area.level === 'district' ? atlasDownload(this.api, area.code) : null,
      ),
      h(
        'p',
        { class: 'downloads' },
        `${t('area.downloads')}: `,
        ...(['geojson', 'zip', 'kml', 'gpx', 'csv'] as const).flatMap((format, i) => [
          i ? ' · ' : '',
          h('a', { href: this.api.exportUrl(area.code, format), download: '' }, format === 'zip' ? 'Shapefile' : format.toUpperCase()),
        ]),
      ),
    );
  }
}
