import type { AreaSummary } from '../api/types.js';

/** An area with its child areas, for the hierarchy tree. */
export interface AreaNode {
  area: AreaSummary;
  children: AreaNode[];
}

function byName(a: AreaNode, b: AreaNode): number {
  return a.area.name.localeCompare(b.area.name, 'en') || a.area.code.localeCompare(b.area.code, 'en');
}

/**
 * Nests areas under their parents (province → districts → kumbans → villages), each level
 * sorted by romanised name. An area whose parent is not in the list becomes a root, so a
 * filtered or partial list still shows everything it holds.
 */
export function buildHierarchy(areas: readonly AreaSummary[]): AreaNode[] {
  const nodes = new Map<string, AreaNode>();
  for (const area of areas) nodes.set(area.code, { area, children: [] });
  const roots: AreaNode[] = [];
  for (const node of nodes.values()) {
    const parent = node.area.parent_code ? nodes.get(node.area.parent_code) : undefined;
    if (parent && parent !== node) parent.children.push(node);
    else roots.push(node);
  }
  const sort = (list: AreaNode[]) => {
    list.sort(byName);
    for (const node of list) sort(node.children);
  };
  sort(roots);
  return roots;
}

/**
 * Codes of the ancestors of `code`, from the top down, so the tree can open the branches that
 * lead to a selected village. Stops at a missing parent and at a cycle in bad data.
 */
export function ancestorCodes(areasByCode: ReadonlyMap<string, AreaSummary>, code: string): string[] {
  const path: string[] = [];
  const seen = new Set<string>([code]);
  let parent = areasByCode.get(code)?.parent_code ?? null;
  while (parent && !seen.has(parent) && areasByCode.has(parent)) {
    path.unshift(parent);
    seen.add(parent);
    parent = areasByCode.get(parent)?.parent_code ?? null;
  }
  return path;
}
