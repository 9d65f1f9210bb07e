/**
 * AppSync's `$utils.xml.toJsonString` / `toMap`, as its documentation shows it: the root element becomes
 * the one key of an object, each element a key of its parent (an element name repeated under one parent
 * becomes a list), an element holding only text its value (a number when the text is one, as in AppSync's
 * example `<id>1</id>` → `"id": 1`), an empty element null. Attributes, comments, processing instructions
 * and the text between child elements are left out; CDATA is text. Iterative (a stack, not recursion), so
 * nesting depth costs no call stack; the caller bounds the input's size.
 */

/** Deepest element nesting accepted (AppSync documents none; DynamoDB-like 32 would refuse real documents). */
const MAX_DEPTH = 1000;

export class XmlError extends Error {
  override readonly name = 'XmlError';
}

interface Frame {
  name: string;
  children: Record<string, unknown>;
  /** Child names seen more than once: their value is the list of them. */
  repeated: Set<string>;
  hasChildren: boolean;
  text: string;
}

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

const decode = (text: string): string =>
  text.replace(/&(#x[0-9a-fA-F]+|#\d+|\w+);/g, (whole, entity: string) => {
    if (entity.startsWith('#x')) return String.fromCodePoint(Number.parseInt(entity.slice(2), 16));
    if (entity.startsWith('#')) return String.fromCodePoint(Number.parseInt(entity.slice(1), 10));
    return ENTITIES[entity] ?? whole;
  });

const scalar = (text: string): unknown => {
  const trimmed = text.trim();
  if (trimmed === '') return null;
  return /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/.test(trimmed) && Number.isFinite(Number(trimmed)) ? Number(trimmed) : trimmed;
};

const addChild = (parent: Frame, name: string, value: unknown): void => {
  parent.hasChildren = true;
  if (!Object.prototype.hasOwnProperty.call(parent.children, name)) {
    Object.defineProperty(parent.children, name, { value, enumerable: true, writable: true, configurable: true });
    return;
  }
  if (parent.repeated.has(name)) (parent.children[name] as unknown[]).push(value);
  else {
    parent.repeated.add(name);
    parent.children[name] = [parent.children[name], value];
  }
};

/** The XML document as AppSync's `toMap` gives it; throws XmlError for a document that is not well formed. */
export function xmlToJson(xml: string): Record<string, unknown> {
  const root: Frame = { name: '', children: {}, repeated: new Set(), hasChildren: false, text: '' };
  const stack: Frame[] = [root];
  let i = 0;
  while (i < xml.length) {
    const lt = xml.indexOf('<', i);
    const top = stack[stack.length - 1]!;
    if (lt < 0) {
      top.text += decode(xml.slice(i));
      break;
    }
    if (lt > i) top.text += decode(xml.slice(i, lt));
    if (xml.startsWith('<!--', lt)) {
      const end = xml.indexOf('-->', lt + 4);
      if (end < 0) throw new XmlError('an unclosed comment');
      i = end + 3;
    } else if (xml.startsWith('<![CDATA[', lt)) {
      const end = xml.indexOf(']]>', lt + 9);
      if (end < 0) throw new XmlError('an unclosed CDATA section');
      top.text += xml.slice(lt + 9, end);
      i = end + 3;
    } else if (xml.startsWith('<?', lt) || xml.startsWith('<!', lt)) {
      const end = xml.indexOf('>', lt + 2);
      if (end < 0) throw new XmlError('an unclosed declaration');
      i = end + 1;
    } else {
      const end = xml.indexOf('>', lt + 1);
      if (end < 0) throw new XmlError('an unclosed tag');
      const tag = xml.slice(lt + 1, end);
      i = end + 1;
      if (tag.startsWith('/')) {
        const name = tag.slice(1).trim();
        const closing = stack.pop()!;
        if (stack.length === 0 || closing.name !== name) throw new XmlError(`</${name}> closes ${closing.name ? `<${closing.name}>` : 'nothing'}`);
        addChild(stack[stack.length - 1]!, name, closing.hasChildren ? closing.children : scalar(closing.text));
        continue;
      }
      const selfClosing = tag.endsWith('/');
      const name = /^[^\s/>]+/.exec(tag)?.[0];
      if (!name) throw new XmlError('a tag without a name');
      if (selfClosing) addChild(top, name, null);
      else {
        if (stack.length > MAX_DEPTH) throw new XmlError(`elements nested deeper than ${MAX_DEPTH} levels`);
        stack.push({ name, children: {}, repeated: new Set(), hasChildren: false, text: '' });
      }
    }
  }
  if (stack.length !== 1) throw new XmlError(`<${stack[stack.length - 1]!.name}> is not closed`);
  if (!root.hasChildren) throw new XmlError('no root element');
  return root.children;
}
