/** A node of an XML document to serialise: an element or a text run. */
export type XmlNode = XmlElement | string;

export interface XmlElement {
  name: string;
  attributes?: Record<string, string | number | undefined>;
  children?: XmlNode[];
}

/** Shorthand for an element; undefined or null children are skipped so optional parts read inline. */
export function el(name: string, attributes: XmlElement['attributes'] = {}, ...children: (XmlNode | null | undefined | false)[]): XmlElement {
  return { name, attributes, children: children.filter((c): c is XmlNode => c !== null && c !== undefined && c !== false) };
}

/** An element holding only text, or nothing when the value is missing. */
export function textEl(name: string, value: string | number | null | undefined): XmlElement | null {
  return value === null || value === undefined || value === '' ? null : el(name, {}, String(value));
}

// XML 1.0 forbids these code points outright; escaping cannot carry them, so they are dropped.
// eslint-disable-next-line no-control-regex
const FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

/** Escapes text for element content or a double-quoted attribute. */
export function escapeXml(text: string): string {
  return text.replace(FORBIDDEN, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * Serialises a tree with two-space indentation; elements with only text stay on one line. Every
 * name and value passes through the escaper, so no stored name can break or inject markup.
 */
export function serializeXml(root: XmlElement): string {
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>\n'];
  const write = (node: XmlElement, depth: number) => {
    const indent = '  '.repeat(depth);
    const attrs = Object.entries(node.attributes ?? {})
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => ` ${k}="${escapeXml(String(v))}"`)
      .join('');
    const children = node.children ?? [];
    if (children.length === 0) {
      out.push(`${indent}<${node.name}${attrs}/>\n`);
    } else if (children.every((c) => typeof c === 'string')) {
      out.push(`${indent}<${node.name}${attrs}>${children.map((c) => escapeXml(c as string)).join('')}</${node.name}>\n`);
    } else {
      out.push(`${indent}<${node.name}${attrs}>\n`);
      for (const child of children) {
        if (typeof child === 'string') out.push(`${indent}  ${escapeXml(child)}\n`);
        else write(child, depth + 1);
      }
      out.push(`${indent}</${node.name}>\n`);
    }
  };
  write(root, 0);
  return out.join('');
}
