import type { ApiClient } from '../api/client.js';
import type { AreaSummary, Level } from '../api/types.js';
import { currentLanguage, t } from '../i18n/index.js';
import { STATUS_COLOURS } from '../map/palette.js';
import { h, replaceChildren } from './dom.js';
import { levelLabel } from './levels.js';

const DEBOUNCE_MS = 200;
const MAX_RESULTS = 30;

/**
 * Search by romanised name, Lao name or code. The server does the matching (it knows how Lao
 * is spelled in the database); this panel only debounces typing and drops answers that arrive
 * after a newer query was sent.
 */
export class SearchPanel {
  private readonly input: HTMLInputElement;
  private readonly results: HTMLElement;
  private readonly status: HTMLElement;
  private readonly label: HTMLLabelElement;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private sequence = 0;
  private lastQuery = '';
  private lastResults: AreaSummary[] = [];
  private levels: Level[] = [];

  constructor(
    container: HTMLElement,
    private readonly api: ApiClient,
    private readonly onSelect: (code: string) => void,
  ) {
    this.input = h('input', {
      id: 'search-input',
      type: 'search',
      autocomplete: 'off',
      spellcheck: 'false',
      oninput: () => this.schedule(),
      onkeydown: (event) => this.onKeyDown(event as KeyboardEvent),
    });
    this.label = h('label', { for: 'search-input', class: 'section-title' });
    this.status = h('p', { class: 'hint', role: 'status', 'aria-live': 'polite' });
    this.results = h('ul', { class: 'search-results', id: 'search-results' });
    replaceChildren(container, this.label, this.input, this.status, this.results);
    this.render();
  }

  /** Level names for the result rows. */
  setLevels(levels: Level[]): void {
    this.levels = levels;
    this.render();
  }

  /** Redraws labels and results in the current language. */
  render(): void {
    this.label.textContent = t('search.label');
    this.input.placeholder = t('search.placeholder');
    this.renderResults();
  }

  private schedule(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.search(this.input.value.trim()), DEBOUNCE_MS);
  }

  private async search(query: string): Promise<void> {
    const sequence = ++this.sequence;
    if (!query) {
      this.lastQuery = '';
      this.lastResults = [];
      this.renderResults();
      return;
    }
    try {
      const areas = await this.api.areas({ q: query });
      if (sequence !== this.sequence) return;
      this.lastQuery = query;
      this.lastResults = areas.slice(0, MAX_RESULTS);
    } catch (error) {
      if (sequence !== this.sequence) return;
      this.lastQuery = query;
      this.lastResults = [];
      this.status.textContent = t('error.generic', { message: (error as Error).message });
      replaceChildren(this.results);
      return;
    }
    this.renderResults();
  }

  private renderResults(): void {
    if (!this.lastQuery) {
      this.status.textContent = '';
      replaceChildren(this.results);
      return;
    }
    this.status.textContent = this.lastResults.length
      ? t('search.results', { count: this.lastResults.length })
      : t('search.none', { q: this.lastQuery });
    const language = currentLanguage();
    replaceChildren(
      this.results,
      this.lastResults.map((area) =>
        h(
          'li',
          {},
          h(
            'button',
            { type: 'button', class: 'search-result', 'data-code': area.code, onclick: () => this.onSelect(area.code) },
            h('span', { class: 'swatch', style: `background:${STATUS_COLOURS[area.status]}`, 'aria-hidden': 'true' }),
            h(
              'span',
              { class: 'result-names' },
              h('span', { class: 'result-name' }, area.name),
              area.name_local ? h('span', { class: 'result-local', lang: 'lo' }, area.name_local) : null,
            ),
            h('span', { class: 'result-meta' }, `${levelLabel(this.levels, area.level, language)} · ${area.code}`),
          ),
        ),
      ),
    );
  }

  /** Enter picks the first result, Escape clears: fast for someone typing a village code. */
  private onKeyDown(event: KeyboardEvent): void {
    if (event.key === 'Enter' && this.lastResults.length) {
      event.preventDefault();
      this.onSelect(this.lastResults[0].code);
    } else if (event.key === 'Escape') {
      this.input.value = '';
      void this.search('');
    }
  }
}
