import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS, REPO } from './example-app.js';
import { runForte, useProject, type ForteRun, type ProjectOptions, type TestProject } from './forte-runner.js';

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

/** What a console browser suite works with: see useConsoleSuite. */
export interface ConsoleSuite {
  project: TestProject;
  /** `test-artifacts/console-<name>/`, emptied before the suite. */
  artifacts: string;
  /** Runs `forte args` in the project and asserts that it succeeded. */
  forte(args: string[], stdin?: string): Promise<ForteRun>;
  /** checkPage with the suite's artifacts folder. */
  check(page: Page, name: string): Promise<void>;
  /** The project's cloud (once started): its URL and admin keys. */
  cloud(): { url: string; accessKeyId: string; secretAccessKey: string };
  /** A new 1280×800 context signed in with a login link of `forte console --no-open`, its page (watched) on the Apps page. */
  signedIn(): Promise<{ context: BrowserContext; page: Page; errors: string[] }>;
}

/**
 * What every console browser suite sets up, in `before` and `after` hooks of the enclosing `describe`: a project
 * (useProject, prefix `forte-console-<name>-`), Chromium, and an empty artifacts folder. The suite adds its
 * resources and pushes.
 */
export function useConsoleSuite(name: string, projectName: string, options: ProjectOptions = {}): ConsoleSuite {
  const project = useProject(`forte-console-${name}-`, projectName, options);
  const artifacts = join(REPO, 'test-artifacts', `console-${name}`);
  let browser: Browser | undefined;
  before(async () => {
    rmSync(artifacts, { recursive: true, force: true });
    mkdirSync(artifacts, { recursive: true });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });
  after(() => browser?.close());
  return {
    project,
    artifacts,
    async forte(args, stdin) {
      const run = await project.forte(args, stdin);
      assert.equal(run.code, 0, `forte ${args.join(' ')}\n${run.stdout}\n${run.stderr}`);
      return run;
    },
    check: (page, name) => checkPage(page, artifacts, name),
    cloud: () => cloudOf(project.home),
    async signedIn() {
      const link = await consoleLoginLink({ cwd: project.root, home: project.home });
      const context = await browser!.newContext({ viewport: { width: 1280, height: 800 } });
      const { page, errors } = await watchedPage(context);
      await page.goto(link);
      await page.getByRole('heading', { name: 'Apps', exact: true }).waitFor();
      return { context, page, errors };
    },
  };
}
