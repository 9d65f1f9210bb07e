/**
 * A page loads `<img src>`, `<video src>`, `<a href>` and the like itself, not through fetch or
 * XMLHttpRequest: a presigned `getUrl` URL put there would go to AWS. These wrappers give such attributes
 * and properties the cloud's URL instead, for the app's own buckets only.
 */

/** Attributes whose URL the browser loads or navigates to. */
const URL_ATTRIBUTES = new Set(['src', 'href', 'poster']);
/** The element classes whose URL properties set those attributes. */
const URL_PROPERTIES: ReadonlyArray<readonly [string, string]> = [
  ['HTMLImageElement', 'src'],
  ['HTMLMediaElement', 'src'],
  ['HTMLSourceElement', 'src'],
  ['HTMLVideoElement', 'poster'],
  ['HTMLAnchorElement', 'href'],
];

const WRAPPED = Symbol.for('forte.amplify.storageTransport.wrapped');
type SetAttribute = (this: unknown, name: string, value: string) => void;
type Setter = (this: unknown, value: unknown) => void;
type Marked<F> = F & { [WRAPPED]?: true };

/**
 * Wraps `Element.prototype.setAttribute` (what React uses for `src`) and the URL property setters of the
 * element classes above so that `rewrite(url)`, when it answers a URL, is what the element gets. Outside a
 * browser (no `Element`) it does nothing; installed twice, it wraps once.
 */
export function installElementUrls(rewrite: (url: string) => string | undefined): void {
  const g = globalThis as Record<string, unknown>;
  const element = g.Element as { prototype: { setAttribute: Marked<SetAttribute> } } | undefined;
  if (element && !element.prototype.setAttribute[WRAPPED]) {
    const setAttribute = element.prototype.setAttribute;
    const rewritingSetAttribute: Marked<SetAttribute> = function (this: unknown, name: string, value: string) {
      const target = URL_ATTRIBUTES.has(String(name).toLowerCase()) ? rewrite(String(value)) : undefined;
      setAttribute.call(this, name, target ?? value);
    };
    rewritingSetAttribute[WRAPPED] = true;
    element.prototype.setAttribute = rewritingSetAttribute;
  }
  for (const [className, property] of URL_PROPERTIES) {
    const prototype = (g[className] as { prototype?: object } | undefined)?.prototype;
    if (!prototype) continue;
    const descriptor = Object.getOwnPropertyDescriptor(prototype, property);
    const set = descriptor?.set as Marked<Setter> | undefined;
    if (!descriptor || !set || set[WRAPPED]) continue;
    const rewritingSet: Marked<Setter> = function (this: unknown, value: unknown) {
      set.call(this, rewrite(String(value)) ?? value);
    };
    rewritingSet[WRAPPED] = true;
    Object.defineProperty(prototype, property, { ...descriptor, set: rewritingSet });
  }
}
