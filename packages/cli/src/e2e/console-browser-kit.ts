import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { runForte, type ForteRun } from './forte-runner.js';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** A page that records every console error and uncaught exception, to assert there are none. */
export async function watchedPage(context: BrowserContext): Promise<{ page: Page; errors: string[] }> {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`${message.text()} (${message.location().url})`);
  });
  return { page, errors };
}

/** A screenshot for people to look at (`<artifacts>/<name>.png`), and axe-core's check: no serious or critical violation. */
export async function checkPage(page: Page, artifacts: string, name: string): Promise<void> {
  await page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });
  // Evaluated by the test harness, not loaded by the page: the console's Content-Security-Policy stays on.
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const result = await (
      globalThis as unknown as { axe: { run(): Promise<{ violations: { id: string; impact: string; help: string; nodes: unknown[] }[] }> } }
    ).axe.run();
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}): ${v.help}, ${v.nodes.length} nodes`);
  });
  assert.deepEqual(violations, [], `${name}: accessibility violations`);
}

/** The page's width as laid out: at most the viewport's when nothing scrolls page-wide sideways. */
export async function pageWidth(page: Page): Promise<number> {
  return page.evaluate(() => (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document.documentElement.scrollWidth);
}

/**
 * The page's width (at most the viewport's when nothing but the tables' own boxes scrolls sideways), and the
 * elements that reach past `limit`, to name in a failure.
 */
export function pageOverflow(page: Page, limit: number): Promise<{ width: number; beyond: string[] }> {
  return page.evaluate((limit) => {
    interface El {
      tagName: string;
      className: string;
      textContent: string | null;
      getBoundingClientRect(): { right: number };
      querySelectorAll(s: string): Iterable<El>;
      closest(s: string): El | null;
      parentElement: El | null;
    }
    const doc = (globalThis as unknown as { document: { documentElement: El & { scrollWidth: number }; body: El } }).document;
    // Elements, and text past its element's edge (a word too long to wrap), outside the tables' own boxes.
    const range = (
      globalThis as unknown as { document: { createRange(): { selectNodeContents(e: El): void; getBoundingClientRect(): { right: number } } } }
    ).document.createRange();
    const beyond = [...doc.body.querySelectorAll('*')]
      .filter((e) => {
        if (e.parentElement?.closest('.table-box')) return false;
        if (e.className === 'table-box') return e.getBoundingClientRect().right > limit;
        range.selectNodeContents(e);
        return Math.max(e.getBoundingClientRect().right, range.getBoundingClientRect().right) > limit;
      })
      .map((e) => `${e.tagName.toLowerCase()}.${e.className}: ${(e.textContent ?? '').slice(0, 40)}`);
    return { width: doc.documentElement.scrollWidth, beyond };
  }, limit);
}

/** The cloud a test's FORTE_HOME started: its URL and admin keys. */
export function cloudOf(home: string): { url: string; accessKeyId: string; secretAccessKey: string } {
  return {
    url: (JSON.parse(readFileSync(join(home, 'cloud', 'cloud.json'), 'utf8')) as { url: string }).url,
    ...(JSON.parse(readFileSync(join(home, 'cloud', 'admin-credentials.json'), 'utf8')) as { accessKeyId: string; secretAccessKey: string }),
  };
}

/** The one-time login link `forte console --no-open` prints. */
export async function consoleLoginLink(project: { cwd: string; home: string }): Promise<string> {
  const run: ForteRun = await runForte(['console', '--no-open'], project);
  assert.equal(run.code, 0, `forte console --no-open\n${run.stdout}\n${run.stderr}`);
  const link = /(http:\/\/\S+\/_forte\/console\/login\?token=\S+)/.exec(run.stdout)?.[1];
  assert.ok(link, run.stdout);
  return link;
}
