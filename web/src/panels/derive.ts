import type { ApiClient } from '../api/client.js';
import type { Area, AreaSummary, DeriveResult } from '../api/types.js';
import { currentLanguage, t } from '../i18n/index.js';
import { h, replaceChildren } from './dom.js';
import { formatCount } from './format.js';
import { errorText } from './upload.js';

/** What the map must show while a derive is in progress. */
export interface DeriveHooks {
  preview(geometry: DeriveResult['geometry'] | null): void;
  committed(area: Area): void;
}

/**
 * "Derive perimeter" for the selected village: first a preview with its measures (drawn dashed
 * on the map), then an explicit commit, because a committed boundary becomes a new version
 * that neighbours and the district will see.
 */
export class DerivePanel {
  private area: AreaSummary | null = null;
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
    }
    this.area = area;
    this.render();
  }

  /** Redraws in the current language. */
  render(): void {
    const title = h('h3', { class: 'subsection-title' }, t('derive.title'));
    const area = this.area;
    if (!area || area.level !== 'ban') {
      replaceChildren(this.container, title, h('p', { class: 'hint' }, t('derive.onlyVillages')));
      return;
    }
    const busyLabel = t('derive.busy');
    replaceChildren(
      this.container,
      title,
      h(
        'div',
        { class: 'actions' },
        h(
          'button',
          { type: 'button', class: 'button', disabled: this.busy, onclick: () => void this.run(false) },
          this.busy && !this.preview ? busyLabel : t('derive.preview'),
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
    const language = currentLanguage();
    const { metrics } = result;
    const number = (value: number, digits: number) =>
      new Intl.NumberFormat(language === 'lo' ? 'lo-LA' : 'en-GB', {
        numberingSystem: 'latn',
        maximumFractionDigits: digits,
        minimumFractionDigits: digits,
      }).format(value);
    return h(
      'div',
      { class: 'derive-preview' },
      h('p', { class: 'hint' }, t('derive.previewNote')),
      h(
        'dl',
        { class: 'facts compact' },
        h('dt', {}, t('derive.area')),
        h('dd', {}, `${number(metrics.area_ha, 1)} ${t('unit.ha')}`),
        h('dt', {}, t('derive.perimeter')),
        h('dd', {}, `${number(metrics.perimeter_km, 2)} ${t('unit.km')}`),
        h('dt', {}, t('derive.vertices')),
        h('dd', {}, formatCount(metrics.vertices, language)),
        h('dt', {}, t('derive.readings')),
        h('dd', {}, formatCount(metrics.readings_used, language)),
        h('dt', {}, t('derive.tolerance')),
        h('dd', {}, `${number(metrics.tolerance_m, 1)} m`),
      ),
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
    if (!area || this.busy) return;
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
      const result = await this.api.derive(area.code, { commit, token });
      if (this.area?.code !== area.code) return;
      if (result.committed) {
        this.preview = null;
        this.hooks.preview(null);
        this.message = { kind: 'info', text: t('derive.committed', { version: result.area.version }) };
        this.hooks.committed(result.area);
      } else {
        this.preview = result;
        this.hooks.preview(result.geometry);
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
