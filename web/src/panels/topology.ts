import type { Feature, FeatureCollection } from 'geojson';
import type { ApiClient } from '../api/client.js';
import { currentLanguage, t, type StringKey } from '../i18n/index.js';
import type { Bounds } from '../map/bounds.js';
import { h, replaceChildren } from './dom.js';
import { formatCount, formatHectares } from './format.js';
import { errorText } from './upload.js';

/** The kinds of problem the topology report names, most serious first. */
const KIND_ORDER = ['overlap', 'gap', 'outside', 'invalid', 'sliver'];

/** The areas a problem concerns, whichever way the report put them. */
export function problemAreas(feature: Feature): string[] {
  const p = feature.properties ?? {};
  if (Array.isArray(p.areas)) return p.areas.map(String);
  if (typeof p.area === 'string') return [p.area];
  return [];
}

/** Problems ordered by kind, then the largest first, so the worst reads first. */
export function orderedProblems(problems: FeatureCollection): Feature[] {
  const rank = (f: Feature) => {
    const index = KIND_ORDER.indexOf(String(f.properties?.kind));
    return index < 0 ? KIND_ORDER.length : index;
  };
  return [...problems.features].sort((a, b) => rank(a) - rank(b) || Number(b.properties?.area_m2 ?? 0) - Number(a.properties?.area_m2 ?? 0));
}

/** The box around a problem's geometry, to frame it on the map. */
export function featureBounds(feature: Feature): Bounds | null {
  let box: Bounds | null = null;
  const visit = (value: unknown): void => {
    if (!Array.isArray(value)) return;
    if (typeof value[0] === 'number' && typeof value[1] === 'number') {
      const [x, y] = value as number[];
      box = box ? [Math.min(box[0], x), Math.min(box[1], y), Math.max(box[2], x), Math.max(box[3], y)] : [x, y, x, y];
      return;
    }
    for (const item of value) visit(item);
  };
  const geometry = feature.geometry;
  if (geometry && 'coordinates' in geometry) visit(geometry.coordinates);
  return box;
}

function sizeText(squareMetres: number | undefined): string {
  if (squareMetres === undefined || !Number.isFinite(squareMetres)) return '';
  const language = currentLanguage();
  return squareMetres >= 10_000 ? `${formatHectares(squareMetres, language)} ${t('unit.ha')}` : `${formatCount(Math.round(squareMetres), language)} m²`;
}

/**
 * Where the villages of a kumban (or the kumbans of a district) do not tile it: overlaps, gaps,
 * parts outside, slivers and broken geometries, as the map hatches them. A planner can frame each
 * one, and open disputes for every overlap in one go so the negotiation unit gets them.
 */
export class TopologyPanel {
  private parent: string | null = null;
  private problems: FeatureCollection | null = null;
  private busy = false;
  private message: { kind: 'error' | 'info'; text: string } | null = null;

  constructor(
    private readonly container: HTMLElement,
    private readonly api: ApiClient,
    private readonly token: () => string,
    private readonly hooks: { frame(bounds: Bounds): void; disputesOpened(): void },
  ) {
    this.render();
  }

  /** The problems among the children of `parent` (null hides the panel). */
  setProblems(parent: string | null, problems: FeatureCollection | null): void {
    if (parent !== this.parent) this.message = null;
    this.parent = parent;
    this.problems = problems;
    this.render();
  }

  /** Redraws in the current language. */
  render(): void {
    this.container.hidden = !this.parent || !this.problems;
    if (!this.parent || !this.problems) {
      replaceChildren(this.container);
      return;
    }
    const problems = orderedProblems(this.problems);
    const overlaps = problems.filter((f) => f.properties?.kind === 'overlap').length;
    replaceChildren(
      this.container,
      h('h2', { class: 'section-title', id: 'topology-title' }, t('topology.title')),
      problems.length === 0
        ? h('p', { class: 'success' }, t('topology.clean', { parent: this.parent }))
        : h(
            'ul',
            { class: 'problem-list' },
            problems.slice(0, 50).map((feature) => {
              const kind = String(feature.properties?.kind ?? 'problem');
              const bounds = featureBounds(feature);
              return h(
                'li',
                { 'data-kind': kind },
                h('span', { class: `problem-kind kind-${kind}` }, t(`topology.kind.${kind}` as StringKey)),
                ' ',
                problemAreas(feature).join(' · '),
                ' ',
                h('span', { class: 'result-meta' }, sizeText(feature.properties?.area_m2 as number | undefined)),
                bounds
                  ? h('button', { type: 'button', class: 'link-button', onclick: () => this.hooks.frame(bounds) }, t('topology.show'))
                  : null,
              );
            }),
          ),
      overlaps
        ? h(
            'div',
            { class: 'actions' },
            h('button', { type: 'button', class: 'button', disabled: this.busy, onclick: () => void this.openDisputes() }, t('topology.openDisputes')),
          )
        : null,
      h(
        'div',
        { role: 'status', 'aria-live': 'polite' },
        this.message ? h('p', { class: this.message.kind === 'error' ? 'error' : 'success' }, this.message.text) : null,
      ),
    );
  }

  private async openDisputes(): Promise<void> {
    const parent = this.parent;
    const token = this.token();
    if (!parent || this.busy) return;
    if (!token) {
      this.message = { kind: 'error', text: t('upload.noToken') };
      this.render();
      return;
    }
    this.busy = true;
    this.render();
    try {
      const result = await this.api.openOverlapDisputes(parent, token);
      this.message = { kind: 'info', text: t('topology.opened', { opened: result.opened.length, already: result.already_open.length }) };
      this.hooks.disputesOpened();
    } catch (error) {
      this.message = { kind: 'error', text: errorText(error) };
    } finally {
      this.busy = false;
      this.render();
    }
  }
}
