import type { AreaSummary } from '../api/types.js';
import { t } from '../i18n/index.js';
import { STATUS_COLOURS } from '../map/palette.js';
import { h, replaceChildren } from './dom.js';
import { ancestorCodes, buildHierarchy, type AreaNode } from './hierarchy.js';

/**
 * The province → district → kumban → village tree. Every row is a real button (keyboard and
 * screen-reader friendly); the small button before it opens or closes the branch.
 */
export class TreePanel {
  private roots: AreaNode[] = [];
  private areasByCode = new Map<string, AreaSummary>();
  private readonly expanded = new Set<string>();
  private selected: string | null = null;
  private readonly list: HTMLUListElement;

  constructor(
    private readonly container: HTMLElement,
    private readonly onSelect: (code: string) => void,
  ) {
    this.list = h('ul', { class: 'tree', 'aria-label': t('tree.title') });
  }

  /** Shows a new list of areas; the top two levels start open so districts and kumbans show. */
  setAreas(areas: readonly AreaSummary[]): void {
    this.areasByCode = new Map(areas.map((area) => [area.code, area]));
    this.roots = buildHierarchy(areas);
    if (this.expanded.size === 0) {
      for (const root of this.roots) {
        this.expanded.add(root.area.code);
        for (const child of root.children) this.expanded.add(child.area.code);
      }
    }
    this.render();
  }

  /** Marks the selected area and opens the branches leading to it. */
  setSelected(code: string | null): void {
    this.selected = code;
    if (code) for (const ancestor of ancestorCodes(this.areasByCode, code)) this.expanded.add(ancestor);
    this.render();
    const row = code ? this.list.querySelector<HTMLElement>(`[data-code="${CSS.escape(code)}"]`) : null;
    if (row) scrollWithin(this.container, row);
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
    const hasChildren = node.children.length > 0;
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
      hasChildren && open ? h('ul', { class: 'tree-children' }, node.children.map((child) => this.renderNode(child))) : null,
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
