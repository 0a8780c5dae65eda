import type { Map as MapLibreMap } from 'maplibre-gl';
import { createApiClient, type ApiClient } from './api/client.js';
import { requestAreaLists, type AreaLists } from './api/areaLists.js';
import { isDatasetReport, type AreaSummary, type Level, type LevelKey } from './api/types.js';
import { onLanguageChange, t } from './i18n/index.js';
import { linesBounds, unionBounds } from './map/bounds.js';
import { loadFonts } from './map/fonts.js';
import { formatHash, parseHash } from './map/hash.js';
import { AreaMap, prewarmMap } from './map/view.js';
import { AreaPanel } from './panels/area.js';
import { DerivePanel } from './panels/derive.js';
import { h, replaceChildren } from './panels/dom.js';
import { HeaderPanel } from './panels/header.js';
import { HistoryPanel } from './panels/history.js';
import { DisputesPanel } from './panels/disputes.js';
import { LegendPanel } from './panels/legend.js';
import { ProgressPanel } from './panels/progress.js';
import { SearchPanel } from './panels/search.js';
import { TokenPanel } from './panels/token.js';
import { TopologyPanel } from './panels/topology.js';
import { TreePanel } from './panels/tree.js';
import { UploadPanel } from './panels/upload.js';

declare global {
  interface Window {
    /** The MapLibre map, exposed so browser tests can query rendered features. */
    tesseraMap?: MapLibreMap;
  }
}

/**
 * What the page loads from the API about the areas at start: the levels above the villages
 * (tree, area panel parents). Villages are asked for when needed; the polygons and labels
 * come as vector tiles, so the page does not hold them.
 */
interface AreaData {
  levels: Level[];
  areas: AreaSummary[];
  leaf: LevelKey;
}

async function loadAreaData(api: ApiClient): Promise<AreaData> {
  const { levels, lists, leaf } = await requestAreaLists(api);
  return { levels, areas: (await Promise.all(lists)).flat(), leaf };
}

/**
 * The areas that frame the first view: the first level, from the top, that has any (a dataset
 * may hold villages alone, then the villages). Resolves as soon as that level's list is in,
 * so the map can start fetching tiles while the other lists are still on their way.
 */
async function framingAreas(api: ApiClient, { lists, leaf }: AreaLists): Promise<AreaSummary[]> {
  for (const list of lists) {
    const areas = await list;
    if (areas.some((area) => area.bbox)) return areas;
  }
  return lists.length > 1 || !lists.length ? api.areas({ level: leaf }) : [];
}

function element(id: string): HTMLElement {
  const found = document.getElementById(id);
  if (!found) throw new Error(`#${id} is missing from index.html`);
  return found;
}

/**
 * Starts the page: loads fonts and areas, draws the map, wires the panels to one selection,
 * and keeps the URL hash (`#map=zoom/lat/lon&area=CODE`) in step so a link reproduces the view.
 */
export async function startApp(api: ApiClient = createApiClient(), areaLists: Promise<AreaLists> = requestAreaLists(api)): Promise<void> {
  prewarmMap();
  const errorBox = element('app-error');
  const showError = (text: string | null) => {
    errorBox.hidden = !text;
    replaceChildren(errorBox, text ? h('p', {}, text) : null);
  };

  let areasByCode = new Map<string, AreaSummary>();
  let selected: string | null = null;
  let areaMap: AreaMap | null = null;
  /**
   * Settles once the map has drawn its first complete view. The progress query (a walk over
   * every area) waits for it, so on the server it does not compete with the first view's tile
   * queries, nor its answer with the tiles for the page's main thread.
   */
  let mapDrawn: Promise<void> = Promise.resolve();

  const select = (code: string | null, options: { zoom: boolean }) => void selectArea(code, options);
  const header = new HeaderPanel(element('app-header'));
  const search = new SearchPanel(element('search'), api, (code) => select(code, { zoom: true }));
  const tree = new TreePanel(
    element('tree'),
    (code) => select(code, { zoom: true }),
    (code) => api.areas({ parent: code }),
    (error) => showError(t('error.generic', { message: (error as Error).message })),
  );
  const areaPanel = new AreaPanel(element('area'), api, (area) => area.bbox && areaMap?.fitBounds(area.bbox));
  const legend = new LegendPanel(element('legend'));
  const token = new TokenPanel(element('token'));
  const upload = new UploadPanel(element('upload'), api, () => token.token(), {
    preview: (result) => {
      areaMap?.setUploadPreview(result);
      // The walks as read, spikes included, so what cleaning dropped is in view too.
      const walked = result?.preview ? linesBounds(result.preview) : null;
      const bounds = walked ?? (result ? unionBounds(result.report.files.filter((file) => file.bbox).map((file) => ({ bbox: file.bbox }))) : null);
      if (bounds) areaMap?.fitBounds(bounds);
    },
    uploaded: (result) => {
      if (result.report.files.some(isDatasetReport)) void refresh();
      else if (selected) void showTracks(selected);
    },
  });
  const derive = new DerivePanel(element('derive'), api, () => token.token(), {
    preview: (geometry) => areaMap?.setPreview(geometry),
    committed: () => void refresh(),
  });
  const historyPanel = new HistoryPanel(element('history'), api, () => token.token(), {
    compare: (geometry) => areaMap?.setCompare(geometry),
    restored: () => void refresh(),
  });
  const disputesPanel = new DisputesPanel(element('disputes'), api, () => token.token(), () => void refresh());
  // The legend counts the villages of every status: the progress of everything has them. With
  // an area selected, the progress panel shows that area's, and the legend asks on its own.
  const progress = new ProgressPanel(element('progress'), api, (loaded) => {
    if (!loaded.area) legend.setCounts(loaded.totals.by_status);
  });
  const countVillages = async () => legend.setCounts((await api.progress()).totals.by_status);
  const topology = new TopologyPanel(element('topology'), api, () => token.token(), {
    frame: (bounds) => areaMap?.fitBounds(bounds),
    disputesOpened: () => void refresh(),
  });
  const labelLandmarks = () => {
    element('side-panel').setAttribute('aria-label', t('panel.label'));
    element('map').setAttribute('aria-label', t('map.label'));
  };
  labelLandmarks();
  onLanguageChange(() => {
    labelLandmarks();
    for (const panel of [header, search, tree, areaPanel, historyPanel, disputesPanel, topology, progress, legend, token, upload, derive]) panel.render();
  });

  const writeHash = () => {
    if (!areaMap) return;
    const hash = formatHash({ view: areaMap.view(), area: selected });
    if (hash !== window.location.hash) history.replaceState(null, '', hash || window.location.pathname);
  };

  /**
   * Shows the village's walks and the readings dropped from them; frames the walks when the
   * village has no boundary to frame yet.
   */
  async function showTracks(code: string, frame = false): Promise<void> {
    try {
      const [tracks, dropped] = await Promise.all([api.tracks(code), api.droppedReadings(code)]);
      if (selected !== code) return;
      areaMap?.setTracks(tracks);
      areaMap?.setDroppedReadings(dropped);
      const bounds = frame ? linesBounds(tracks) : null;
      if (bounds) areaMap?.fitBounds(bounds);
    } catch (error) {
      showError(t('error.generic', { message: (error as Error).message }));
    }
  }

  /**
   * Hatches the gaps and overlaps among the villages around the selection: a village's kumban,
   * or the children of the selected kumban or district.
   */
  async function showProblems(summary: AreaSummary | null): Promise<void> {
    const parent = summary?.level === 'ban' ? summary.parent_code : summary?.code;
    areaMap?.setProblems(null);
    topology.setProblems(null, null);
    if (!parent || summary?.level === 'province') return;
    try {
      const problems = await api.topology(parent);
      if (selected !== (summary?.code ?? null)) return;
      areaMap?.setProblems(problems);
      topology.setProblems(parent, problems);
    } catch (error) {
      showError(t('error.generic', { message: (error as Error).message }));
    }
  }

  /** An area by code: from the lists held, else asked for (a village, found on the map or in a link). */
  async function lookUp(code: string): Promise<AreaSummary | null> {
    const known = areasByCode.get(code);
    if (known) return known;
    try {
      const area = await api.area(code);
      areasByCode.set(area.code, area);
      return area;
    } catch {
      return null;
    }
  }

  async function selectArea(code: string | null, options: { zoom: boolean }): Promise<void> {
    selected = code;
    const summary = code ? await lookUp(code) : null;
    if (selected !== code) return;
    selected = summary ? summary.code : null;
    const parent = summary?.parent_code ? (areasByCode.get(summary.parent_code) ?? null) : null;
    areaMap?.setSelection(null);
    areaMap?.setTracks(null);
    areaMap?.setDroppedReadings(null);
    void tree.setSelected(selected, summary);
    areaPanel.setArea(summary, parent);
    void historyPanel.setArea(summary);
    void disputesPanel.setArea(summary);
    // A village's progress is its kumban's: the unit a planner counts.
    const progressOf = summary?.level === 'ban' ? (summary.parent_code ?? null) : selected;
    void mapDrawn.then(() => progress.setArea(progressOf));
    upload.setArea(summary);
    derive.setArea(summary);
    void showProblems(summary);
    if (options.zoom && summary?.bbox) areaMap?.fitBounds(summary.bbox);
    else if (options.zoom && summary?.centre) areaMap?.centreOn(summary.centre);
    writeHash();
    if (!summary) return;
    if (summary.level === 'ban') void showTracks(summary.code, options.zoom && !summary.bbox);
    try {
      const [area, geometry] = await Promise.all([api.area(summary.code), api.areaGeometry(summary.code)]);
      if (selected !== area.code) return;
      areaPanel.setArea(area, parent);
      void historyPanel.setArea(area);
      areaMap?.setSelection(geometry);
    } catch (error) {
      showError(t('error.generic', { message: (error as Error).message }));
    }
  }

  function applyData(data: AreaData): void {
    areasByCode = new Map(data.areas.map((area) => [area.code, area]));
    search.setLevels(data.levels);
    areaPanel.setLevels(data.levels);
    progress.setLevels(data.levels);
    upload.setLevels(data.levels);
    legend.setLevels(data.levels);
    void tree.setAreas(data.areas, data.areas.length ? parentLevel(data) : null);
  }

  /** The level whose children are the villages, loaded by parent. */
  function parentLevel(data: AreaData): string | null {
    const keys = data.levels.map((level) => level.key);
    const at = keys.indexOf(data.leaf);
    return at > 0 ? keys[at - 1] : null;
  }

  /** After an edit (derive, restore): fresh lists, labels and tiles, same selection. */
  async function refresh(): Promise<void> {
    try {
      applyData(await loadAreaData(api));
      areaMap?.refreshTiles(String(Date.now()));
      await selectArea(selected, { zoom: false });
      if (selected) await countVillages();
    } catch (error) {
      showError(t('error.load', { message: (error as Error).message }));
    }
  }

  // The map is made as soon as it knows where to look, so its tiles load while the rest of the
  // area lists (a country's villages) and the label fonts are still arriving.
  const initial = parseHash(window.location.hash);
  const fonts = loadFonts();
  let data: AreaData;
  try {
    const lists = await areaLists;
    const framing = initial.view ? [] : await framingAreas(api, lists);
    areaMap = new AreaMap(element('map'), initial.view, unionBounds(framing), (layer, version) => api.tileUrl(layer, version), fonts);
    window.tesseraMap = areaMap.map;
    const drawing = areaMap.map;
    mapDrawn = new Promise((resolve) => drawing.once('idle', () => resolve()));
    data = { levels: lists.levels, areas: (await Promise.all(lists.lists)).flat(), leaf: lists.leaf };
  } catch (error) {
    showError(t('error.load', { message: (error as Error).message }));
    return;
  }
  await areaMap.ready();
  applyData(data);
  areaMap.onVillageClick((code) => select(code, { zoom: false }));
  areaMap.onViewChange(writeHash);
  window.addEventListener('hashchange', () => {
    const state = parseHash(window.location.hash);
    if (state.view) areaMap?.jumpTo(state.view);
    if (state.area !== selected) select(state.area, { zoom: !state.view });
  });
  await selectArea(initial.area, { zoom: !initial.view });
  if (initial.area) void countVillages().catch((error: unknown) => showError(t('error.load', { message: (error as Error).message })));
  areaMap.map.once('idle', () => {
    document.documentElement.dataset.ready = 'true';
  });
}
