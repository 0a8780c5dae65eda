import type { AreaSummary } from '../api/types.js';
import { t } from '../i18n/index.js';
import { STATUS_COLOURS } from '../map/palette.js';
import { h, replaceChildren } from './dom.js';
import { ancestorCodes, buildHierarchy, type AreaNode } from './hierarchy.js';

/** Fetches the children of an area (the page's API client: `GET /api/areas?parent=`). */
export type ChildLoader = (code: string) => Promise<AreaSummary[]>;

/**
 * The province → district → kumban → village tree. Every row is a real button (keyboard and
 * screen-reader friendly); the small button before it opens or closes the branch.
 *
 * The page gives it the levels above the villages; a kumban's villages are asked for when
 * the kumban is opened (or one of them is selected), as a country's 10,000 villages would be
 * most of the page's start-up for rows nobody has opened yet.
 */
export class TreePanel {
  private roots: AreaNode[] = [];
  private areasByCode = new Map<string, AreaSummary>();
  private readonly expanded = new Set<string>();
  /** Areas whose children are asked for on opening, and those whose children came. */
  private lazyLevel: string | null = null;
  private readonly loadedChildren = new Set<string>();
  private selected: string | null = null;
  private readonly list: HTMLUListElement;

  constructor(
    private readonly container: HTMLElement,
    private readonly onSelect: (code: string) => void,
    private readonly loadChildren: ChildLoader,
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {
    this.list = h('ul', { class: 'tree', 'aria-label': t('tree.title') });
  }

  /**
   * Shows a new list of areas (the levels above the villages); the top two levels start open
   * so districts and kumbans show. `lazyLevel` is the level whose children are loaded on
   * opening. Branches open before (after an edit) get their children anew.
   */
  setAreas(areas: readonly AreaSummary[], lazyLevel: string | null): Promise<void> {
    this.areasByCode = new Map(areas.map((area) => [area.code, area]));
    this.lazyLevel = lazyLevel;
    this.loadedChildren.clear();
    this.rebuild();
    if (this.expanded.size === 0) {
      for (const root of this.roots) {
        this.expanded.add(root.area.code);
        for (const child of root.children) this.expanded.add(child.area.code);
      }
    }
    this.render();
    const reopened = [...this.expanded].filter((code) => this.isLazy(code));
    if (this.selected && !this.areasByCode.has(this.selected)) this.selected = null;
    return Promise.all(reopened.map((code) => this.openChildren(code))).then(() => undefined);
  }

  /** Marks the selected area and opens the branches leading to it, loading its siblings if need be. */
  async setSelected(code: string | null, area?: AreaSummary | null): Promise<void> {
    this.selected = code;
    if (area && !this.areasByCode.has(area.code)) {
      this.areasByCode.set(area.code, area);
      this.rebuild();
    }
    const parent = code ? this.areasByCode.get(code)?.parent_code : null;
    if (parent && this.isLazy(parent)) await this.openChildren(parent);
    if (this.selected !== code) return;
    if (code) for (const ancestor of ancestorCodes(this.areasByCode, code)) this.expanded.add(ancestor);
    this.render();
    const row = code ? this.list.querySelector<HTMLElement>(`[data-code="${CSS.escape(code)}"]`) : null;
    if (row) scrollWithin(this.container, row);
  }

  /** Whether an area's children are loaded on demand and have not come yet. */
  private isLazy(code: string): boolean {
    const area = this.areasByCode.get(code);
    return !!area && area.level === this.lazyLevel && !this.loadedChildren.has(code);
  }

  private async openChildren(code: string): Promise<void> {
    try {
      const children = await this.loadChildren(code);
      this.loadedChildren.add(code);
      for (const child of children) this.areasByCode.set(child.code, child);
      this.rebuild();
      this.render();
    } catch (error) {
      this.onError(error);
    }
  }

  private rebuild(): void {
    this.roots = buildHierarchy([...this.areasByCode.values()]);
  }

  /** Redraws in the current language, keeping focus on the row that had it. */
  render(): void {
    const focusedCode = (document.activeElement as HTMLElement | null)?.dataset?.code;
    const focusedToggle = (document.activeElement as HTMLElement | null)?.dataset?.toggle;
    this.list.setAttribute('aria-label', t('tree.title'));
    replaceChildren(this.list, this.roots.map((node) => this.renderNode(node)));
    replaceChildren(this.container, h('h2', { class: 'section-title' }, t('tree.title')), this.list);
    const selector = focusedCode
      ? `[data-code="${CSS.escape(focusedCode)}"]`
      : focusedToggle
        ? `[data-toggle="${CSS.escape(focusedToggle)}"]`
        : null;
    if (selector) this.list.querySelector<HTMLElement>(selector)?.focus();
  }

  private renderNode(node: AreaNode): HTMLLIElement {
    const { area } = node;
    const open = this.expanded.has(area.code);
    const hasChildren = node.children.length > 0 || this.isLazy(area.code);
    const toggle = hasChildren
      ? h(
          'button',
          {
            type: 'button',
            class: 'tree-toggle',
            'aria-expanded': String(open),
            'aria-label': t(open ? 'tree.collapse' : 'tree.expand', { name: area.name }),
            'data-toggle': area.code,
            onclick: () => {
              if (open) this.expanded.delete(area.code);
              else this.expanded.add(area.code);
              this.render();
              if (!open && this.isLazy(area.code)) void this.openChildren(area.code);
            },
          },
          h('span', { 'aria-hidden': 'true' }, open ? '▾' : '▸'),
        )
      : h('span', { class: 'tree-toggle-spacer', 'aria-hidden': 'true' });
    const row = h(
      'button',
      {
        type: 'button',
        class: `tree-row level-${area.level}`,
        'data-code': area.code,
        'aria-current': area.code === this.selected ? 'true' : undefined,
        title: area.code,
        onclick: () => this.onSelect(area.code),
      },
      h('span', { class: 'swatch', style: `background:${STATUS_COLOURS[area.status]}`, 'aria-hidden': 'true' }),
      h('span', { class: 'tree-name' }, area.name),
      area.name_local ? h('span', { class: 'tree-local', lang: 'lo' }, area.name_local) : null,
    );
    return h(
      'li',
      { class: 'tree-item' },
      h('div', { class: 'tree-line' }, toggle, row),
      hasChildren && open && node.children.length
        ? h('ul', { class: 'tree-children' }, node.children.map((child) => this.renderNode(child)))
        : null,
    );
  }
}

/** Scrolls only the tree's own box, so the area panel above it stays where the reader is. */
function scrollWithin(box: HTMLElement, row: HTMLElement): void {
  const boxRect = box.getBoundingClientRect();
  const rowRect = row.getBoundingClientRect();
  if (rowRect.top < boxRect.top) box.scrollTop -= boxRect.top - rowRect.top + 8;
  else if (rowRect.bottom > boxRect.bottom) box.scrollTop += rowRect.bottom - boxRect.bottom + 8;
}
