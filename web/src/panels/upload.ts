import { ApiError, type ApiClient } from '../api/client.js';
import type { AreaSummary, UploadResult } from '../api/types.js';
import { t } from '../i18n/index.js';
import { h, replaceChildren } from './dom.js';
import { renderUploadReport } from './report.js';

/** Text of a failed call for a mapper: the server's message, and its details when it gave any. */
export function errorText(error: unknown): string {
  if (error instanceof ApiError) {
    const details = error.details
      .map((detail) => (typeof detail === 'string' ? detail : (detail as { message?: string })?.message))
      .filter((detail): detail is string => typeof detail === 'string' && detail.length > 0);
    return details.length ? `${error.message} (${details.join('; ')})` : error.message;
  }
  return error instanceof Error ? error.message : String(error);
}

/**
 * Upload of GPS files (file picker or drag-and-drop), linked to the selected area, followed by
 * the server's report of what was read, kept and dropped, so a mapper knows in the field office
 * whether the walk has to be redone.
 */
export class UploadPanel {
  private files: File[] = [];
  private area: AreaSummary | null = null;
  private busy = false;
  private result: UploadResult | null = null;
  private message: { kind: 'error' | 'info'; text: string } | null = null;
  private readonly fileInput: HTMLInputElement;
  private readonly dropZone: HTMLLabelElement;
  private readonly body: HTMLElement;

  constructor(
    private readonly container: HTMLElement,
    private readonly api: ApiClient,
    private readonly token: () => string,
    private readonly onUploaded: (result: UploadResult) => void,
  ) {
    this.fileInput = h('input', {
      id: 'upload-files',
      type: 'file',
      multiple: true,
      class: 'visually-hidden',
      accept: '.gpx,.csv,.txt,.kml,.kmz,.nmea,.nma,.geojson,.json,.zip',
      onchange: () => this.choose(Array.from(this.fileInput.files ?? [])),
    });
    this.dropZone = h('label', {
      for: 'upload-files',
      class: 'drop-zone',
      ondragover: (event) => {
        event.preventDefault();
        this.dropZone.classList.add('dragging');
      },
      ondragleave: () => this.dropZone.classList.remove('dragging'),
      ondrop: (event) => {
        event.preventDefault();
        this.dropZone.classList.remove('dragging');
        this.choose(Array.from((event as DragEvent).dataTransfer?.files ?? []));
      },
    });
    this.body = h('div');
    replaceChildren(container, this.body);
    this.render();
  }

  /** The area new tracks are linked to (the selected one). */
  setArea(area: AreaSummary | null): void {
    this.area = area;
    this.render();
  }

  /** Redraws in the current language. */
  render(): void {
    replaceChildren(
      this.dropZone,
      h('span', { class: 'drop-title' }, t('upload.drop')),
      this.files.length
        ? h('span', { class: 'drop-files' }, t('upload.chosen', { count: this.files.length, names: this.files.map((f) => f.name).join(', ') }))
        : null,
    );
    replaceChildren(
      this.body,
      h('h3', { class: 'subsection-title' }, t('upload.title')),
      h('form', { class: 'upload-form', onsubmit: (event) => this.submit(event) },
        this.fileInput,
        this.dropZone,
        h('p', { class: 'hint' }, this.area ? t('upload.forArea', { name: `${this.area.name} (${this.area.code})` }) : t('upload.noArea')),
        h('button', { type: 'submit', class: 'button primary', disabled: this.busy }, this.busy ? t('upload.busy') : t('upload.submit')),
      ),
      h(
        'div',
        { class: 'upload-output', role: 'status', 'aria-live': 'polite' },
        this.message ? h('p', { class: this.message.kind === 'error' ? 'error' : 'hint' }, this.message.text) : null,
        this.result ? renderUploadReport(this.result) : null,
      ),
    );
  }

  private choose(files: File[]): void {
    this.files = files;
    this.message = null;
    this.render();
  }

  private async submit(event: Event): Promise<void> {
    event.preventDefault();
    if (this.busy) return;
    const token = this.token();
    if (!this.files.length) return this.show({ kind: 'error', text: t('upload.noFiles') });
    if (!token) return this.show({ kind: 'error', text: t('upload.noToken') });
    this.busy = true;
    this.result = null;
    this.show(null);
    try {
      this.result = await this.api.upload(this.files, { area: this.area?.code, token });
      this.files = [];
      this.fileInput.value = '';
      this.onUploaded(this.result);
    } catch (error) {
      this.message = { kind: 'error', text: errorText(error) };
    } finally {
      this.busy = false;
      this.render();
    }
  }

  private show(message: { kind: 'error' | 'info'; text: string } | null): void {
    this.message = message;
    this.render();
  }
}
