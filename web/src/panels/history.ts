import type { ApiClient } from '../api/client.js';
import type { Area, AreaSummary, AreaVersion } from '../api/types.js';
import { currentLanguage, t, type StringKey } from '../i18n/index.js';
import type { MultiPolygon } from 'geojson';
import { h, replaceChildren } from './dom.js';
import { formatHectares } from './format.js';
import { errorText } from './upload.js';

const MESSAGE_CLASS = { error: 'error', note: 'hint', done: 'success' } as const;

/** What the history panel asks of the page: drawing a compared version and taking a restore in. */
export interface HistoryHooks {
  compare(geometry: MultiPolygon | null): void;
  restored(area: Area): void;
}

/**
 * Every version of the selected area, newest first. Any earlier version can be drawn over the
 * current boundary (compare) and brought back as a new version (restore, with the API token;
 * history itself is never rewritten). The restore names the version the page shows, so a
 * change made meanwhile by someone else is refused rather than overwritten.
 */
export class HistoryPanel {
  private area: AreaSummary | Area | null = null;
  private versions: AreaVersion[] = [];
  private comparing: number | null = null;
  private busy = false;
  private message: { kind: 'error' | 'note' | 'done'; text: string } | null = null;

  constructor(
    private readonly container: HTMLElement,
    private readonly api: ApiClient,
    private readonly token: () => string,
    private readonly hooks: HistoryHooks,
  ) {
    this.render();
  }

  /** Shows the history of an area (loaded from the server), or nothing for null. */
  async setArea(area: AreaSummary | Area | null): Promise<void> {
    const sameArea = area?.code === this.area?.code;
    const changed = !sameArea || area?.version !== this.area?.version;
    this.area = area;
    // A message about a restore stays while the same area reloads at its new version.
    if (!sameArea) this.message = null;
    if (changed) {
      this.versions = [];
      this.stopComparing();
    }
    this.render();
    if (!area || !changed) return;
    try {
      const versions = await this.api.history(area.code);
      if (this.area?.code !== area.code) return;
      this.versions = versions;
    } catch (error) {
      this.message = { kind: 'error', text: errorText(error) };
    }
    this.render();
  }

  /** Redraws in the current language. */
  render(): void {
    const title = h('h2', { class: 'section-title', id: 'history-title' }, t('history.title'));
    const area = this.area;
    if (!area) {
      replaceChildren(this.container);
      this.container.hidden = true;
      return;
    }
    this.container.hidden = false;
    replaceChildren(
      this.container,
      title,
      this.versions.length
        ? h('ol', { class: 'history-list' }, this.versions.map((version) => this.renderVersion(area, version)))
        : h('p', { class: 'hint' }, t('history.none')),
      h(
        'div',
        { role: 'status', 'aria-live': 'polite' },
        this.message ? h('p', { class: MESSAGE_CLASS[this.message.kind] }, this.message.text) : null,
      ),
    );
  }

  private renderVersion(area: AreaSummary | Area, version: AreaVersion): HTMLElement {
    const language = currentLanguage();
    const current = version.version === area.version;
    const hectares = formatHectares(version.area_m2, language);
    const comparing = this.comparing === version.version;
    return h(
      'li',
      { class: 'history-item', 'data-version': version.version, 'aria-current': current ? 'true' : null },
      h(
        'div',
        { class: 'history-head' },
        h('strong', {}, t('history.version', { version: version.version })),
        current ? h('span', { class: 'history-current' }, t('history.current')) : null,
        h('span', { class: 'status-badge', 'data-status': version.status }, t(`status.${version.status}` as StringKey)),
      ),
      h(
        'div',
        { class: 'history-meta' },
        [version.changed_at.slice(0, 16).replace('T', ' '), version.reason, version.changed_by, hectares ? `${hectares} ${t('unit.ha')}` : null]
          .filter(Boolean)
          .join(' · '),
      ),
      current
        ? null
        : h(
            'div',
            { class: 'actions compact' },
            h(
              'button',
              {
                type: 'button', class: 'button small history-compare', 'aria-pressed': comparing ? 'true' : 'false',
                onclick: () => void (comparing ? this.stopComparing(true) : this.compare(area, version.version)),
              },
              comparing ? t('history.stopCompare') : t('history.compare'),
            ),
            h(
              'button',
              { type: 'button', class: 'button small history-restore', disabled: this.busy, onclick: () => void this.restore(area, version.version) },
              t('history.restore'),
            ),
          ),
    );
  }

  private stopComparing(redraw = false): void {
    this.comparing = null;
    this.hooks.compare(null);
    if (redraw) {
      this.message = null;
      this.render();
    }
  }

  private async compare(area: AreaSummary | Area, version: number): Promise<void> {
    try {
      const geometry = await this.api.versionGeometry(area.code, version);
      if (this.area?.code !== area.code) return;
      this.comparing = geometry ? version : null;
      this.hooks.compare(geometry);
      this.message = { kind: 'note', text: t(geometry ? 'history.comparing' : 'history.noGeometry', { version }) };
    } catch (error) {
      this.message = { kind: 'error', text: errorText(error) };
    }
    this.render();
  }

  private async restore(area: AreaSummary | Area, version: number): Promise<void> {
    const token = this.token();
    if (!token) {
      this.message = { kind: 'error', text: t('upload.noToken') };
      this.render();
      return;
    }
    this.busy = true;
    this.render();
    try {
      const restored = await this.api.restore(area.code, { version, expectedVersion: area.version, token });
      this.message = { kind: 'done', text: t('history.restored', { version, newVersion: restored.version }) };
      this.busy = false;
      this.hooks.restored(restored);
    } catch (error) {
      this.busy = false;
      this.message = { kind: 'error', text: errorText(error) };
      this.render();
    }
  }
}
