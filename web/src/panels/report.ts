import { isDatasetReport, type FileReport, type TrackReport, type UploadResult } from '../api/types.js';
import { renderDatasetFacts } from './dataset.js';
import { currentLanguage, t } from '../i18n/index.js';
import { h } from './dom.js';
import { formatCount } from './format.js';

/** Drop reasons with their counts, largest first, so the main cause of loss reads first. */
export function droppedByReason(dropped: Record<string, number>): [reason: string, count: number][] {
  return Object.entries(dropped)
    .filter(([, count]) => count > 0)
    .sort(([reasonA, a], [reasonB, b]) => b - a || reasonA.localeCompare(reasonB));
}

/** Total of dropped readings over all reasons. */
export function droppedTotal(dropped: Record<string, number>): number {
  return Object.values(dropped).reduce((sum, count) => sum + count, 0);
}

/** The tracks of a file as a list, whether the server sent a count or the tracks themselves. */
export function trackList(tracks: FileReport['tracks']): { count: number; tracks: TrackReport[] } {
  return Array.isArray(tracks) ? { count: tracks.length, tracks } : { count: tracks, tracks: [] };
}

function trackLine(track: TrackReport): HTMLElement {
  const areas = [track.area_code, track.other_area_code].filter(Boolean).join(' | ');
  return h('li', {}, track.name ?? `#${track.id}`, areas ? ` → ${areas}` : '', ` (${track.kept})`);
}

function fileReport(report: FileReport): HTMLElement {
  const language = currentLanguage();
  const count = (value: number) => formatCount(value, language) ?? String(value);
  const reasons = droppedByReason(report.readings.dropped);
  const tracks = trackList(report.tracks);
  return h(
    'section',
    { class: 'file-report' },
    h('h4', {}, report.file, ' ', h('span', { class: 'result-meta' }, report.format)),
    report.duplicate ? h('p', { class: 'hint' }, t('report.duplicate')) : null,
    h(
      'dl',
      { class: 'facts compact' },
      h('dt', {}, t('report.read')),
      h('dd', {}, count(report.readings.read)),
      h('dt', {}, t('report.kept')),
      h('dd', {}, count(report.readings.kept)),
      h('dt', {}, t('report.dropped')),
      h('dd', {}, count(droppedTotal(report.readings.dropped))),
      h('dt', {}, t('report.tracks')),
      h('dd', {}, count(tracks.count)),
      h('dt', {}, t('report.markers')),
      h('dd', {}, count(report.markers)),
    ),
    reasons.length
      ? h(
          'ul',
          { class: 'dropped-reasons', 'aria-label': t('report.dropped') },
          reasons.map(([reason, value]) => h('li', {}, h('code', {}, reason), ': ', count(value))),
        )
      : null,
    tracks.tracks.length ? h('ul', { class: 'track-list', 'aria-label': t('report.tracks') }, tracks.tracks.map(trackLine)) : null,
    report.warnings.length
      ? h(
          'div',
          { class: 'warnings' },
          h('p', { class: 'field-label' }, t('report.warnings')),
          h('ul', {}, report.warnings.map((warning) => h('li', {}, warning))),
        )
      : null,
  );
}

/**
 * The upload report: one block per file with read/kept/dropped counts, reasons and warnings
 * (for a dataset: CRS, encoding, what was written). A dry run says that nothing is stored yet.
 */
export function renderUploadReport(result: UploadResult): HTMLElement {
  const upload = result.upload;
  return h(
    'div',
    { class: 'upload-report' },
    result.dry_run
      ? h('p', { class: 'hint' }, t('upload.checked'))
      : upload
        ? h('p', { class: 'success' }, t('upload.done', { id: upload.id, kind: upload.kind }))
        : null,
    result.report.files.map((file) => (isDatasetReport(file) ? renderDatasetFacts(file) : fileReport(file))),
  );
}
