/** Attributes and listeners accepted by {@link h}; `on*` functions become event listeners. */
export type Props = Record<string, string | number | boolean | null | undefined | ((event: Event) => void)>;
/** Children accepted by {@link h}: nodes, text, or nothing (skipped, for optional parts). */
export type Child = Node | string | number | null | undefined | false;

/**
 * Creates an element with attributes, listeners and children. Text is always inserted as text
 * nodes, never as HTML, so area names from the database cannot inject markup.
 */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Props = {},
  ...children: (Child | Child[])[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (typeof value === 'function') {
      element.addEventListener(name.slice(2).toLowerCase(), value);
    } else if (name === 'class') {
      element.className = String(value);
    } else {
      element.setAttribute(name, value === true ? '' : String(value));
    }
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
  return element;
}

/** Replaces all children of `parent`. */
export function replaceChildren(parent: Element, ...children: (Child | Child[])[]): void {
  parent.replaceChildren(
    ...children.flat().flatMap((child) => (child === null || child === undefined || child === false ? [] : [child instanceof Node ? child : String(child)])),
  );
}
