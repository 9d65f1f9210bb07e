import type { ElementHandle, Locator, Page } from 'playwright-core';

/** One element the Tab key stopped at: its name, and its outline and box shadow focused and not. */
export interface TabStop {
  name: string;
  focused: string;
  unfocused: string;
  /** The element the walk was looking for (the last stop when it was reached). */
  isTarget: boolean;
}

// The page's own types, for the functions evaluated in it (the tests are compiled without the DOM's).
interface El {
  tagName: string;
  textContent: string | null;
  getAttribute(name: string): string | null;
  blur(): void;
}
interface Win {
  document: { activeElement: El | null; body: El };
  getComputedStyle(e: El): { outlineStyle: string; outlineWidth: string; outlineColor: string; boxShadow: string };
}

/** In the page: the element's outline and box shadow as laid out (a focus indicator changes one of them). */
const ringOf = (e: unknown): string => {
  const style = (globalThis as unknown as Win).getComputedStyle(e as El);
  return `outline ${style.outlineStyle} ${style.outlineWidth} ${style.outlineColor}, box-shadow ${style.boxShadow}`;
};

/**
 * Presses Tab from where the focus is (after a page's load: nowhere) until `target` has the focus, the focus comes
 * back to the document, or `most` presses; answers each element the focus stopped at, with its outline and box
 * shadow while it had the focus and once it had lost it.
 */
export async function tabStops(page: Page, target: Locator, most = 80): Promise<TabStop[]> {
  const wanted = await target.elementHandle();
  const stops: { handle: ElementHandle; name: string; focused: string; isTarget: boolean }[] = [];
  for (let i = 0; i < most; i++) {
    await page.keyboard.press('Tab');
    const handle = (await page.evaluateHandle(() => (globalThis as unknown as Win).document.activeElement)).asElement() as ElementHandle | null;
    if (!handle) break;
    const seen = await handle.evaluate((e, wanted) => {
      const active = e as unknown as El;
      const style = (globalThis as unknown as Win).getComputedStyle(active);
      const name = active.getAttribute('aria-label') ?? (active.textContent ?? '').trim().replace(/\s+/g, ' ').slice(0, 60);
      return {
        name: name || active.tagName.toLowerCase(),
        focused: `outline ${style.outlineStyle} ${style.outlineWidth} ${style.outlineColor}, box-shadow ${style.boxShadow}`,
        isTarget: e === wanted,
        body: active === (globalThis as unknown as Win).document.body,
      };
    }, wanted);
    if (seen.body) break;
    stops.push({ handle, name: seen.name, focused: seen.focused, isTarget: seen.isTarget });
    if (seen.isTarget) break;
  }
  await page.evaluate(() => (globalThis as unknown as Win).document.activeElement?.blur());
  return Promise.all(stops.map(async ({ handle, ...stop }) => ({ ...stop, unfocused: await handle.evaluate(ringOf) })));
}
