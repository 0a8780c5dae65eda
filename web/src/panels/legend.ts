import { AREA_STATUSES, type AreaStatus, type AreaSummary, type Level, type LevelKey } from '../api/types.js';
import { currentLanguage, t, type StringKey } from '../i18n/index.js';
import { MAP_COLOURS, STATUS_COLOURS } from '../map/palette.js';
import { h, replaceChildren } from './dom.js';
import { levelLabel } from './levels.js';

/** How many villages are in each status: the progress of the zoning at a glance. */
export function countByStatus(areas: readonly Pick<AreaSummary, 'level' | 'status'>[]): Record<AreaStatus, number> {
  const counts = Object.fromEntries(AREA_STATUSES.map((status) => [status, 0])) as Record<AreaStatus, number>;
  for (const area of areas) if (area.level === 'ban' && area.status in counts) counts[area.status] += 1;
  return counts;
}

function lineSample(style: string): HTMLElement {
  return h('span', { class: 'line-sample', style, 'aria-hidden': 'true' });
}

/** A square of diagonal hatching, as the map draws overlaps, disputes and gaps. */
function hatchSample(colour: string): string {
  return `height: 12px; border: 1.5px solid ${colour}; background: repeating-linear-gradient(135deg, ${colour} 0 2px, transparent 2px 6px)`;
}

/**
 * The legend, floating on the map where the eye compares it with the colours: status colours
 * with village counts, then the line symbols. A `<details>` so it can be folded away.
 */
export class LegendPanel {
  private counts: Record<AreaStatus, number> | null = null;
  private levels: readonly Level[] = [];

  constructor(private readonly container: HTMLElement) {
    // On a laptop screen the open legend would hide a third of the map: it starts folded there.
    if (container instanceof HTMLDetailsElement && window.innerHeight < 900) container.open = false;
    this.render();
  }

  /** The levels as the server names them, for the boundary lines (a country may rename them). */
  setLevels(levels: readonly Level[]): void {
    this.levels = levels;
    this.render();
  }

  /** Updates the village counts shown next to each status. */
  setAreas(areas: readonly AreaSummary[]): void {
    this.setCounts(countByStatus(areas));
  }

  /** Shows village counts by status counted elsewhere (the server's progress of everything). */
  setCounts(counts: Record<AreaStatus, number>): void {
    this.counts = { ...countByStatus([]), ...counts };
    this.render();
  }

  /** Redraws in the current language. */
  render(): void {
    const statuses = AREA_STATUSES.map((status) =>
      h(
        'li',
        { 'data-status': status },
        h('span', { class: 'swatch large', style: `background:${STATUS_COLOURS[status]}`, 'aria-hidden': 'true' }),
        h('span', { class: 'legend-label' }, t(`status.${status}` as StringKey)),
        this.counts ? h('span', { class: 'legend-count' }, String(this.counts[status])) : null,
      ),
    );
    const boundary = (key: LevelKey) => t('legend.boundary', { level: levelLabel(this.levels, key, currentLanguage()) });
    const lines: [string, string][] = [
      [boundary('district'), `border-top: 3px solid ${MAP_COLOURS.districtOutline}`],
      [boundary('kumban'), `border-top: 2px dashed ${MAP_COLOURS.kumbanOutline}`],
      [t('legend.selected'), `border-top: 3px solid ${MAP_COLOURS.selection}`],
      [t('legend.track'), `border-top: 2px solid ${MAP_COLOURS.track}`],
      [t('legend.preview'), `border-top: 3px dashed ${MAP_COLOURS.preview}`],
      [t('legend.compare'), `border-top: 3px dotted ${MAP_COLOURS.compare}`],
      [t('legend.dropped'), `width: 9px; height: 9px; margin: 0 8.5px; border: 1.5px solid ${MAP_COLOURS.dropped}; border-radius: 50%`],
      [t('legend.overlap'), hatchSample(MAP_COLOURS.overlap)],
      [t('legend.gap'), hatchSample(MAP_COLOURS.gap)],
    ];
    replaceChildren(
      this.container,
      h('summary', { class: 'section-title' }, t('legend.title')),
      h('p', { class: 'legend-subtitle' }, t('legend.status')),
      h('ul', { class: 'legend-list' }, statuses),
      h(
        'ul',
        { class: 'legend-list lines' },
        lines.map(([text, style]) => h('li', {}, lineSample(style), h('span', { class: 'legend-label' }, text))),
      ),
    );
  }
}
