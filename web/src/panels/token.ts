import { t } from '../i18n/index.js';
import { h, replaceChildren } from './dom.js';

const STORAGE_KEY = 'tessera.token';

/**
 * The API token field. The token lives in localStorage so a mapper types it once per computer;
 * it is hidden like a password unless asked for, because field offices share screens.
 */
export class TokenPanel {
  private readonly input: HTMLInputElement;
  private readonly label: HTMLLabelElement;
  private readonly hint: HTMLElement;
  private readonly showLabel: HTMLSpanElement;

  constructor(container: HTMLElement) {
    this.input = h('input', {
      id: 'token-input',
      type: 'password',
      autocomplete: 'off',
      spellcheck: 'false',
      'aria-describedby': 'token-hint',
      oninput: () => this.save(),
    });
    this.input.value = readStored();
    this.label = h('label', { for: 'token-input', class: 'field-label' });
    this.hint = h('p', { class: 'hint', id: 'token-hint' });
    this.showLabel = h('span');
    const show = h('input', {
      type: 'checkbox',
      onchange: (event) => {
        this.input.type = (event.target as HTMLInputElement).checked ? 'text' : 'password';
      },
    });
    // A form of its own (never submitted) so browsers treat the password field properly.
    const form = h('form', { class: 'token-form', onsubmit: (event) => event.preventDefault() });
    replaceChildren(form, this.label, this.input, h('label', { class: 'checkbox' }, show, this.showLabel), this.hint);
    replaceChildren(container, form);
    this.render();
  }

  /** The token to send as `Authorization: Bearer`, or '' when none was entered. */
  token(): string {
    return this.input.value.trim();
  }

  /** Redraws in the current language. */
  render(): void {
    this.label.textContent = t('token.label');
    this.hint.textContent = t('token.hint');
    this.showLabel.textContent = t('token.show');
  }

  private save(): void {
    try {
      if (this.token()) localStorage.setItem(STORAGE_KEY, this.token());
      else localStorage.removeItem(STORAGE_KEY);
    } catch {
      // Storage disabled: the token still works until the page is closed.
    }
  }
}

function readStored(): string {
  try {
    return localStorage.getItem(STORAGE_KEY) ?? '';
  } catch {
    return '';
  }
}
