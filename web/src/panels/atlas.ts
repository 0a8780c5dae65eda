import { ApiError, type ApiClient } from '../api/client.js';
import { t } from '../i18n/index.js';
import { h, replaceChildren } from './dom.js';

/**
 * The server follows each finished page of an atlas with the PDF comment line
 * `%Tessera atlas page N of M` (server/print/atlas.ts); the page counts progress by it.
 */
const PROGRESS = /%Tessera atlas page (\d+) of (\d+)/g;
/** Longest marker text, kept from one chunk to the next so a marker split between them is found. */
const CARRY = 40;

/** What one more piece of the stream tells: the highest page finished so far in it, and what to carry. */
export function scanAtlasProgress(carry: string, text: string): { done: number | null; carry: string } {
  const joined = carry + text;
  let done: number | null = null;
  for (const match of joined.matchAll(PROGRESS)) done = Math.max(done ?? 0, Number(match[1]));
  return { done, carry: joined.slice(-CARRY) };
}

/** The file name the server gives the atlas (`content-disposition`), else one made from the code. */
export function atlasFileName(disposition: string | null, code: string): string {
  return /filename="([^"]+)"/.exec(disposition ?? '')?.[1] ?? `${code}-atlas.pdf`;
}

type State =
  | { kind: 'idle' }
  | { kind: 'running'; done: number; total: number | null }
  | { kind: 'done'; url: string; name: string; pages: number }
  | { kind: 'failed'; message: string };

/**
 * Printing the atlas of a kumban or district from the page. A long atlas takes a while to draw,
 * so the page reads the PDF as it streams in, shows pages done of the total (`x-atlas-pages`),
 * and offers the finished file to open or save. One per area, kept across re-renders of the area
 * panel, so progress survives a language switch.
 */
class AtlasDownload {
  readonly element = h('div', { class: 'atlas-download', 'data-state': 'idle' });
  private state: State = { kind: 'idle' };

  constructor(
    private readonly api: ApiClient,
    private readonly code: string,
  ) {
    this.render();
  }

  render(): void {
    const state = this.state;
    this.element.dataset.state = state.kind;
    const start = () => h('button', { type: 'button', class: 'button', onclick: () => void this.start() }, t('area.atlas'));
    switch (state.kind) {
      case 'idle':
        replaceChildren(this.element, start());
        return;
      case 'running': {
        const label = state.total ? t('atlas.progress', { done: state.done, total: state.total }) : t('atlas.starting');
        replaceChildren(
          this.element,
          h('progress', { class: 'atlas-progress', style: 'width: 100%', max: state.total ?? 1, value: state.total ? state.done : undefined, 'aria-label': label }),
          h('span', { class: 'atlas-status', role: 'status' }, label),
        );
        return;
      }
      case 'done':
        replaceChildren(
          this.element,
          h('a', { class: 'button atlas-file', href: state.url, download: state.name, type: 'application/pdf' }, t('atlas.open', { pages: state.pages })),
          h('button', { type: 'button', class: 'button', onclick: () => this.reset() }, t('atlas.again')),
        );
        return;
      case 'failed':
        replaceChildren(this.element, h('p', { class: 'error', role: 'alert' }, t('atlas.failed', { message: state.message })), start());
    }
  }

  private set(state: State): void {
    this.state = state;
    this.render();
  }

  private reset(): void {
    if (this.state.kind === 'done') URL.revokeObjectURL(this.state.url);
    this.set({ kind: 'idle' });
  }

  private async start(): Promise<void> {
    this.set({ kind: 'running', done: 0, total: null });
    try {
      const response = await this.api.atlas(this.code);
      const total = Number(response.headers.get('x-atlas-pages')) || null;
      const name = atlasFileName(response.headers.get('content-disposition'), this.code);
      this.set({ kind: 'running', done: 0, total });
      const chunks: Uint8Array[] = [];
      // windows-1252 maps each byte to one character, so the ASCII marker is found in binary data.
      const decoder = new TextDecoder('latin1');
      let carry = '';
      let done = 0;
      if (!response.body) throw new Error('no response body');
      const reader = response.body.getReader();
      for (;;) {
        const { done: finished, value } = await reader.read();
        if (finished) break;
        chunks.push(value);
        const scanned = scanAtlasProgress(carry, decoder.decode(value, { stream: true }));
        carry = scanned.carry;
        if (scanned.done !== null && scanned.done > done) {
          done = scanned.done;
          this.set({ kind: 'running', done, total });
        }
      }
      if (total !== null && done !== total) throw new Error(t('atlas.incomplete', { done, total }));
      const url = URL.createObjectURL(new Blob(chunks as BlobPart[], { type: 'application/pdf' }));
      this.set({ kind: 'done', url, name, pages: total ?? done });
    } catch (error) {
      this.set({ kind: 'failed', message: error instanceof ApiError || error instanceof Error ? error.message : String(error) });
    }
  }
}

const downloads = new Map<string, AtlasDownload>();

/** The atlas control of an area (a kumban or district), the same element each time it is asked for. */
export function atlasDownload(api: ApiClient, code: string): HTMLElement {
  let download = downloads.get(code);
  if (!download) {
    download = new AtlasDownload(api, code);
    downloads.set(code, download);
  } else {
    download.render();
  }
  return download.element;
}
