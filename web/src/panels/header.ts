import { currentLanguage, LANGUAGES, parseLanguage, setLanguage, t } from '../i18n/index.js';
import { h, replaceChildren } from './dom.js';

/** The page header: product name and the English/Lao switch. */
export class HeaderPanel {
  private readonly select: HTMLSelectElement;
  private readonly title: HTMLElement;
  private readonly subtitle: HTMLElement;
  private readonly label: HTMLLabelElement;

  constructor(container: HTMLElement) {
    this.select = h(
      'select',
      {
        id: 'language-select',
        onchange: () => {
          const language = parseLanguage(this.select.value);
          if (language) setLanguage(language);
        },
      },
      LANGUAGES.map(({ code, name }) => h('option', { value: code, lang: code }, name)),
    );
    this.title = h('h1', { class: 'app-title' });
    this.subtitle = h('span', { class: 'app-subtitle' });
    this.label = h('label', { for: 'language-select', class: 'language-label' });
    replaceChildren(
      container,
      h('div', { class: 'brand' }, h('span', { class: 'brand-mark', 'aria-hidden': 'true' }), this.title, this.subtitle),
      h('div', { class: 'language' }, this.label, this.select),
    );
    this.render();
  }

  /** Redraws in the current language. */
  render(): void {
    this.title.textContent = t('app.title');
    this.subtitle.textContent = t('app.subtitle');
    this.label.textContent = t('lang.label');
    this.select.value = currentLanguage();
    document.title = `${t('app.title')} · ${t('app.subtitle')}`;
  }
}
