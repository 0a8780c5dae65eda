import type { ApiClient } from '../api/client.js';
import type { Level, Progress } from '../api/types.js';
import { currentLanguage, t, type StringKey } from '../i18n/index.js';
import { STATUS_COLOURS } from '../map/palette.js';
import { chartHeight, statusBars, type BarLayout } from './chart.js';
import { h, replaceChildren } from './dom.js';
import { formatCount } from './format.js';
import { levelLabel } from './levels.js';
import { errorText } from './upload.js';

const SVG = 'http://www.w3.org/2000/svg';
const LABEL_WIDTH = 96;
const COUNT_WIDTH = 34;
const CHART_WIDTH = 320;
const BARS: BarLayout = { width: CHART_WIDTH - LABEL_WIDTH - COUNT_WIDTH, barHeight: 13, gap: 4 };

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attributes: Record<string, string | number>, text?: string): SVGElementTagNameMap[K] {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  if (text !== undefined) element.textContent = text;
  return element;
}

/**
 * The programme's question for the selected province, district or kumban (everything when
 * nothing is selected): villages by status as a small bar chart, the share of the area with an
 * approved boundary, how many units below are zoned, and open disputes.
 */
export class ProgressPanel {
  private progress: Progress | null = null;
  private error: string | null = null;
  private levels: Level[] = [];
  private requested: string | null = null;

  constructor(
    private readonly container: HTMLElement,
    private readonly api: ApiClient,
    /** Told of every progress loaded (the legend takes its village counts from everything's). */
    private readonly onLoaded: (progress: Progress) => void = () => undefined,
  ) {
    this.render();
  }

  setLevels(levels: Level[]): void {
    this.levels = levels;
    this.render();
  }

  /** Loads the progress of an area (a village shows its kumban's), or of everything for null. */
  async setArea(code: string | null): Promise<void> {
    this.requested = code;
    try {
      const progress = await this.api.progress(code ?? undefined);
      if (this.requested !== code) return;
      this.progress = progress;
      this.error = null;
      this.onLoaded(progress);
    } catch (error) {
      if (this.requested !== code) return;
      this.error = errorText(error);
    }
    this.render();
  }

  /** Redraws in the current language. */
  render(): void {
    const title = h('h2', { class: 'section-title', id: 'progress-title' }, t('progress.title'));
    const progress = this.progress;
    if (!progress) {
      replaceChildren(this.container, title, h('p', { class: this.error ? 'error' : 'hint' }, this.error ?? t('progress.loading')));
      return;
    }
    const language = currentLanguage();
    const totals = progress.totals;
    const name = progress.area ? (language === 'lo' && progress.area.name_local ? progress.area.name_local : progress.area.name) : t('progress.all');
    const share = totals.approved_share === null ? t('area.unknown') : `${Math.round(totals.approved_share * 100)} %`;
    const rows: [string, string][] = [
      [t('progress.villages'), formatCount(totals.villages, language) ?? '0'],
      [t('progress.approvedShare'), share],
      ...progress.zoned_by_level
        .filter((tally) => tally.level !== totals.level && tally.level !== 'ban' && tally.level !== 'province')
        .map((tally): [string, string] => [
          t('progress.zoned', { level: levelLabel(this.levels, tally.level, language) }),
          t('progress.zonedValue', { zoned: tally.zoned, total: tally.total }),
        ]),
      [t('progress.disputes'), formatCount(progress.disputes_open, language) ?? '0'],
      [
        t('progress.mapsPrinted'),
        t('progress.mapsPrintedValue', {
          villages: formatCount(totals.maps_printed?.villages ?? 0, language) ?? '0',
          total: formatCount(totals.villages, language) ?? '0',
          prints: formatCount(totals.maps_printed?.prints ?? 0, language) ?? '0',
        }),
      ],
    ];
    replaceChildren(
      this.container,
      title,
      h('p', { class: 'progress-name', 'data-code': progress.area?.code ?? '' }, name),
      this.chart(progress, name),
      h('dl', { class: 'facts compact' }, rows.flatMap(([label, value]) => [h('dt', {}, label), h('dd', {}, value)])),
      progress.children.length ? this.childTable(progress) : null,
    );
  }

  /** One row per child (district, kumban): its villages, approved share, maps printed, zoned or not. */
  private childTable(progress: Progress): HTMLElement {
    const language = currentLanguage();
    return h(
      'table',
      { class: 'progress-children' },
      h(
        'thead',
        {},
        h('tr', {}, h('th', {}, t('progress.child')), h('th', {}, t('progress.villages')), h('th', {}, t('progress.approvedShort')), h('th', {}, t('progress.mapsShort'))),
      ),
      h(
        'tbody',
        {},
        progress.children.map((child) =>
          h(
            'tr',
            { 'data-code': child.code, 'data-zoned': String(child.zoned) },
            h('td', {}, child.zoned ? '✓ ' : '', language === 'lo' && child.name_local ? child.name_local : child.name),
            h('td', { class: 'number' }, formatCount(child.villages, language) ?? '0'),
            h('td', { class: 'number' }, child.approved_share === null ? '–' : `${Math.round(child.approved_share * 100)} %`),
            h('td', { class: 'number' }, `${formatCount(child.maps_printed?.villages ?? 0, language)}/${formatCount(child.villages, language)}`),
          ),
        ),
      ),
    );
  }

  private chart(progress: Progress, name: string): SVGSVGElement {
    const height = chartHeight(BARS);
    const label = t('progress.chart', { name });
    const chart = svg('svg', {
      class: 'progress-chart', role: 'img', 'aria-label': label, width: CHART_WIDTH, height, viewBox: `0 0 ${CHART_WIDTH} ${height}`,
    });
    chart.append(svg('title', {}, label));
    for (const bar of statusBars(progress.totals.by_status, BARS)) {
      const middle = bar.y + bar.height / 2;
      const row = svg('g', { 'data-status': bar.status, 'data-count': bar.count });
      row.append(
        svg('text', { x: 0, y: middle, 'dominant-baseline': 'central', class: 'chart-label' }, t(`status.${bar.status}` as StringKey)),
        svg('rect', { x: LABEL_WIDTH, y: bar.y, width: BARS.width, height: bar.height, fill: '#eef0f3' }),
        svg('rect', {
          x: LABEL_WIDTH, y: bar.y, width: bar.width, height: bar.height, fill: STATUS_COLOURS[bar.status], stroke: 'rgba(0,0,0,0.25)',
        }),
        svg('text', { x: CHART_WIDTH, y: middle, 'dominant-baseline': 'central', 'text-anchor': 'end', class: 'chart-count' }, String(bar.count)),
      );
      chart.append(row);
    }
    return chart;
  }
}
