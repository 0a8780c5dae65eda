import type { ApiClient } from '../api/client.js';
import type { AreaSummary, Dispute } from '../api/types.js';
import { currentLanguage, t, type StringKey } from '../i18n/index.js';
import { h, replaceChildren } from './dom.js';
import { formatHectares } from './format.js';
import { errorText } from './upload.js';

/**
 * The disputes the selected village is party to, with their workflow: log a negotiation
 * meeting, move the dispute to negotiation, and resolve it by giving the contested land to
 * one of the two villages (both get a new version; the map reloads).
 */
export class DisputesPanel {
  private area: AreaSummary | null = null;
  private disputes: Dispute[] = [];
  private message: string | null = null;

  constructor(
    private readonly container: HTMLElement,
    private readonly api: ApiClient,
    private readonly token: () => string,
    private readonly changed: () => void,
  ) {
    this.render();
  }

  async setArea(area: AreaSummary | null): Promise<void> {
    this.area = area;
    this.disputes = [];
    this.message = null;
    this.render();
    if (!area || area.level !== 'ban') return;
    try {
      const disputes = await this.api.disputes(area.code);
      if (this.area?.code !== area.code) return;
      this.disputes = disputes;
    } catch (error) {
      this.message = errorText(error);
    }
    this.render();
  }

  private async change(dispute: Dispute, form: HTMLFormElement | null, change: Parameters<ApiClient['changeDispute']>[1]): Promise<void> {
    const token = this.token();
    if (!token) {
      this.message = t('dispute.needToken');
      this.render();
      return;
    }
    const outcome = (form?.elements.namedItem('outcome') as HTMLTextAreaElement | null)?.value.trim();
    const date = (form?.elements.namedItem('date') as HTMLInputElement | null)?.value;
    if (outcome && date) change = { ...change, note: { date, outcome } };
    try {
      await this.api.changeDispute(dispute.id, change, token);
      this.message = null;
      this.changed();
      if (this.area) await this.setArea(this.area);
    } catch (error) {
      this.message = errorText(error);
      this.render();
    }
  }

  render(): void {
    if (!this.area || this.area.level !== 'ban' || (this.disputes.length === 0 && !this.message)) {
      replaceChildren(this.container);
      this.container.hidden = true;
      return;
    }
    this.container.hidden = false;
    const language = currentLanguage();
    const today = new Date().toISOString().slice(0, 10);
    replaceChildren(
      this.container,
      h('h2', { class: 'section-title', id: 'disputes-title' }, t('dispute.title')),
      h('ol', { class: 'dispute-list' }, this.disputes.map((d) => {
        const form = d.status === 'resolved' ? null : h('form', { class: 'dispute-note', onsubmit: (e: Event) => e.preventDefault() },
          h('label', {}, t('dispute.date'), h('input', { type: 'date', name: 'date', value: today })),
          h('label', {}, t('dispute.outcome'), h('textarea', { name: 'outcome', rows: '2' })),
        );
        return h('li', { class: 'dispute', 'data-id': String(d.id), 'data-status': d.status },
          h('p', { class: 'dispute-parties' }, `#${d.id} ${d.area_a_name} ↔ ${d.area_b_name}`),
          h('p', { class: 'hint' },
            `${t(`dispute.status.${d.status}` as StringKey)} · ${formatHectares(d.area_m2, language) ?? '—'} ${t('unit.ha')} · ${t('dispute.meetings', { count: String(d.notes.length) })}`,
            d.resolution?.assigned_to ? ` · ${t('dispute.assigned', { code: d.resolution.assigned_to })}` : ''),
          form,
          d.status === 'resolved' ? null : h('div', { class: 'actions' },
            h('button', { type: 'button', class: 'button', onclick: () => void this.change(d, form, {}) }, t('dispute.log')),
            d.status === 'open' ? h('button', { type: 'button', class: 'button', onclick: () => void this.change(d, form, { status: 'negotiating' }) }, t('dispute.negotiate')) : null,
            ...[[d.area_a, d.area_a_name], [d.area_b, d.area_b_name]].map(([code, name]) =>
              h('button', { type: 'button', class: 'button', 'data-assign': code, onclick: () => void this.change(d, form, { status: 'resolved', assign_to: code }) },
                t('dispute.resolveTo', { name }))),
          ),
        );
      })),
      this.message ? h('p', { class: 'error', role: 'status' }, this.message) : null,
    );
  }
}
