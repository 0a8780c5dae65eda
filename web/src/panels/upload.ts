import { ApiError, type ApiClient } from '../api/client.js';
import { isDatasetReport, type AreaSummary, type DatasetReport, type Level, type LevelKey, type UploadResult } from '../api/types.js';
import { currentLanguage, t } from '../i18n/index.js';
import { initialMapping, mappingFields, mappingProblem, renderDatasetForm, type DatasetMapping } from './dataset.js';
import { h, replaceChildren } from './dom.js';
import { formatCount } from './format.js';
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

/** What the map shows while an upload is checked, and what happens once it is stored. */
export interface UploadHooks {
  /** Draws (or clears) the walks and waypoints of a dry run, before anything is stored. */
  preview(result: UploadResult | null): void;
  uploaded(result: UploadResult): void;
}

/** The level one below `level` in the hierarchy, where a dataset uploaded on it usually belongs. */
function levelBelow(levels: readonly Level[], level: LevelKey | undefined): LevelKey | '' {
  const index = levels.findIndex((candidate) => candidate.key === level);
  return index >= 0 && index + 1 < levels.length ? levels[index + 1].key : '';
}

/**
 * Upload of GPS files and boundary datasets (file picker or drag-and-drop). Files are first
 * checked with a dry run: the server reads and cleans them and stores nothing, the page shows
 * the report and draws the walks as read and as kept, and only "Confirm" stores them. For a
 * dataset (shapefile, boundary GeoJSON/KML) the check shows its fields and the mapper maps them
 * to level, name, code and parent before importing. Each file has a progress bar while sent.
 */
export class UploadPanel {
  private files: File[] = [];
  private shares: number[] = [];
  private area: AreaSummary | null = null;
  private levels: Level[] = [];
  private busy = false;
  /** The dry run's answer, waiting for confirmation. */
  private checked: UploadResult | null = null;
  private mapping: DatasetMapping | null = null;
  /** Ask for the files to be read as a boundary dataset even when they are GeoJSON or KML. */
  private asDataset = false;
  private result: UploadResult | null = null;
  private message: { kind: 'error' | 'info'; text: string } | null = null;
  private readonly fileInput: HTMLInputElement;
  private readonly dropZone: HTMLLabelElement;
  private readonly body: HTMLElement;

  constructor(
    private readonly container: HTMLElement,
    private readonly api: ApiClient,
    private readonly token: () => string,
    private readonly hooks: UploadHooks,
  ) {
    this.fileInput = h('input', {
      id: 'upload-files',
      type: 'file',
      multiple: true,
      class: 'visually-hidden',
      accept: '.gpx,.csv,.txt,.kml,.kmz,.nmea,.nma,.geojson,.json,.zip,.shp,.shx,.dbf,.prj,.cpg',
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

  /** The hierarchy's levels, offered when a dataset is mapped. */
  setLevels(levels: Level[]): void {
    this.levels = levels;
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
    const checked = this.checked;
    const dataset = checked?.report.files.find(isDatasetReport) ?? null;
    replaceChildren(
      this.body,
      h('h3', { class: 'subsection-title' }, t('upload.title')),
      h('form', { class: 'upload-form', onsubmit: (event) => this.submit(event) },
        this.fileInput,
        this.dropZone,
        this.files.length ? this.renderFileBars() : null,
        h('p', { class: 'hint' }, this.area ? t('upload.forArea', { name: `${this.area.name} (${this.area.code})` }) : t('upload.noArea')),
        h(
          'label',
          { class: 'checkbox' },
          h('input', {
            type: 'checkbox',
            id: 'upload-as-dataset',
            checked: this.asDataset,
            onchange: (event) => {
              this.asDataset = (event.target as HTMLInputElement).checked;
              this.reset();
            },
          }),
          ' ',
          t('upload.asDataset'),
        ),
        checked ? null : h('button', { type: 'submit', class: 'button primary', disabled: this.busy }, this.busy ? t('upload.busy') : t('upload.check')),
      ),
      checked && dataset && this.mapping ? this.renderMapping(dataset, this.mapping) : null,
      checked && !dataset ? this.renderCheckedGps(checked) : null,
      h(
        'div',
        { class: 'upload-output', role: 'status', 'aria-live': 'polite' },
        this.message ? h('p', { class: this.message.kind === 'error' ? 'error' : 'hint' }, this.message.text) : null,
        this.result ? renderUploadReport(this.result) : null,
      ),
    );
  }

  private renderFileBars(): HTMLElement {
    const language = currentLanguage();
    return h(
      'ul',
      { class: 'upload-files', 'aria-label': t('upload.files') },
      this.files.map((file, index) => {
        const share = this.shares[index] ?? 0;
        return h(
          'li',
          {},
          h('span', { class: 'upload-file-name' }, file.name, ' ', h('span', { class: 'result-meta' }, `${formatCount(Math.ceil(file.size / 1024), language)} KB`)),
          h('progress', { max: 100, value: Math.round(share * 100), 'aria-label': t('upload.progress', { name: file.name }) }),
        );
      }),
    );
  }

  private renderCheckedGps(checked: UploadResult): HTMLElement {
    return h(
      'div',
      { class: 'upload-check' },
      h('p', { class: 'hint' }, t('upload.previewNote')),
      renderUploadReport(checked),
      h(
        'div',
        { class: 'actions' },
        h('button', { type: 'button', class: 'button primary', disabled: this.busy, onclick: () => void this.send(false) }, this.busy ? t('upload.busy') : t('upload.confirm')),
        h('button', { type: 'button', class: 'button', disabled: this.busy, onclick: () => this.reset() }, t('upload.cancel')),
      ),
    );
  }

  private renderMapping(report: DatasetReport, mapping: DatasetMapping): HTMLElement {
    const problem = mappingProblem(mapping, report);
    return h(
      'div',
      { class: 'upload-check' },
      h('p', { class: 'hint' }, t('dataset.previewNote')),
      renderDatasetForm(report, mapping, this.levels, (next) => {
        const layerChanged = next.layer !== mapping.layer;
        this.mapping = next;
        // Another layer has other fields: check it again before mapping them.
        if (layerChanged) void this.send(true);
        else this.render();
      }),
      problem ? h('p', { class: 'hint' }, t(problem)) : null,
      h(
        'div',
        { class: 'actions' },
        h('button', { type: 'button', class: 'button primary', disabled: this.busy || problem !== null, onclick: () => void this.send(false) }, this.busy ? t('upload.busy') : t('dataset.import')),
        h('button', { type: 'button', class: 'button', disabled: this.busy, onclick: () => this.reset() }, t('upload.cancel')),
      ),
    );
  }

  private choose(files: File[]): void {
    this.files = files;
    this.reset();
  }

  /** Back to the chosen files, nothing checked: drops the preview from the map. */
  private reset(): void {
    this.shares = this.files.map(() => 0);
    this.checked = null;
    this.mapping = null;
    this.message = null;
    this.hooks.preview(null);
    this.render();
  }

  private async submit(event: Event): Promise<void> {
    event.preventDefault();
    await this.send(true);
  }

  /** A dry run (`check`) or the real upload of the chosen files, with the mapping of a dataset. */
  private async send(dryRun: boolean): Promise<void> {
    if (this.busy) return;
    const token = this.token();
    if (!this.files.length) return this.show({ kind: 'error', text: t('upload.noFiles') });
    if (!token) return this.show({ kind: 'error', text: t('upload.noToken') });
    this.busy = true;
    this.result = null;
    this.message = null;
    this.shares = this.files.map(() => 0);
    this.render();
    const fields: Record<string, string> = this.mapping ? mappingFields(this.mapping) : {};
    if (this.asDataset) fields.dataset = '1';
    try {
      const answer = await this.api.upload(this.files, {
        area: this.area?.code,
        token,
        dryRun,
        fields,
        onProgress: (shares) => {
          this.shares = shares;
          this.updateBars();
        },
      });
      if (dryRun) {
        this.checked = answer;
        const dataset = answer.report.files.find(isDatasetReport);
        if (dataset) {
          const previous = this.mapping;
          // A new layer has other fields: start its mapping afresh but keep level and parent.
          const names = new Set(dataset.fields.map((field) => field.name));
          const stillFits = previous?.layer === dataset.layer && Object.values(previous.fields).every((name) => !name || names.has(name));
          this.mapping = previous && stillFits
            ? previous
            : { ...initialMapping(dataset, previous?.level || levelBelow(this.levels, this.area?.level), previous?.parent ?? this.area?.code ?? ''), layer: dataset.layer };
        }
        this.hooks.preview(answer);
      } else {
        this.result = answer;
        this.checked = null;
        this.mapping = null;
        this.files = [];
        this.fileInput.value = '';
        this.hooks.preview(null);
        this.hooks.uploaded(answer);
      }
    } catch (error) {
      this.message = { kind: 'error', text: errorText(error) };
    } finally {
      this.busy = false;
      this.render();
    }
  }

  /** Moves the bars without redrawing the panel (progress fires many times a second). */
  private updateBars(): void {
    const bars = this.body.querySelectorAll<HTMLProgressElement>('.upload-files progress');
    bars.forEach((bar, index) => {
      bar.value = Math.round((this.shares[index] ?? 0) * 100);
    });
  }

  private show(message: { kind: 'error' | 'info'; text: string } | null): void {
    this.message = message;
    this.render();
  }
}
