/**
 * Time to first complete render of the web page in headless Chromium: from navigation start
 * until the page says it is ready (`<html data-ready="true">`, set on the map's first idle once
 * the areas are loaded) and MapLibre has every tile of the view loaded and drawn.
 */
import fs from 'node:fs';
import { chromium } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
const VIEWPORT = { width: 1366, height: 768 };

export interface FirstRender {
  /** Navigation start to ready and idle with all tiles loaded, read from the page's own clock. */
  ms: number;
  /** Navigation start to the ready flag alone. */
  readyMs: number;
  /** Navigation start to the last area list (`/api/areas`) and the last tile received. */
  areasMs: number;
  lastTileMs: number;
  /** Main-thread tasks over 50 ms before the render completed: the longest and their sum. */
  longestTaskMs: number;
  longTasksMs: number;
  tileRequests: number;
  /** Tile responses by status (200 with data, 204 empty). */
  tileStatuses: Record<number, number>;
  requests: number;
  zoom: number;
  /** Distinct villages in the loaded village tiles: the whole country should be there. */
  villagesDrawn: number;
  consoleErrors: string[];
}

/** CPU ticks (user + system) used so far by a process and all its descendants. */
function treeTicks(root: number): number {
  const parents = new Map<number, number>();
  const ticks = new Map<number, number>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // Fields after the command name, which may hold spaces: state ppid ... utime(14) stime(15).
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parents.set(Number(entry), Number(fields[1]));
      ticks.set(Number(entry), Number(fields[11]) + Number(fields[12]));
    } catch {
      // The process ended while we looked.
    }
  }
  const inTree = (pid: number): boolean => {
    for (let p: number | undefined = pid, hops = 0; p && hops < 20; p = parents.get(p), hops++) if (p === root) return true;
    return false;
  };
  let sum = 0;
  for (const [pid, t] of ticks) if (inTree(pid)) sum += t;
  return sum;
}

/**
 * Waits until this process and its children (the browser Playwright started) use under a tenth
 * of a core for a second (at most 15 s). Linux only (reads /proc); elsewhere it waits 3 s.
 */
async function waitForBrowserIdle(): Promise<void> {
  const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
  const pid = process.pid;
  if (!fs.existsSync('/proc/self/stat')) return sleep(3000);
  const ticksPerS = 100; // USER_HZ on Linux
  const started = Date.now();
  let last = treeTicks(pid);
  while (Date.now() - started < 15_000) {
    await sleep(1000);
    const now = treeTicks(pid);
    if ((now - last) / ticksPerS < 0.1) return;
    last = now;
  }
}

/** Opens `url` in a fresh browser (empty HTTP cache) and measures the first complete render. */
export async function measureFirstRender(url: string, screenshotPath?: string): Promise<FirstRender> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  try {
    const page = await browser.newPage({ viewport: VIEWPORT });
    // A fresh headless Chromium spends its first seconds building its own interface (the
    // omnibox pages: over 2 s of CPU in a renderer of their own, seen in a trace), which on two
    // cores would be timed as the page's. The page is opened once the browser has settled, as
    // a planner's browser would be when they follow a link.
    await waitForBrowserIdle();
    const consoleErrors: string[] = [];
    page.on('console', (msg) => {
      if (msg.type() === 'error') consoleErrors.push(msg.text());
    });
    // Request end times on this process's clock, turned into the page's (navigation start = 0).
    const finished: { path: string; at: number }[] = [];
    page.on('requestfinished', (req) => finished.push({ path: new URL(req.url()).pathname, at: Date.now() }));
    let requests = 0;
    let tileRequests = 0;
    const tileStatuses: Record<number, number> = {};
    page.on('request', (req) => {
      requests++;
      if (new URL(req.url()).pathname.startsWith('/tiles/')) tileRequests++;
    });
    page.on('response', (res) => {
      if (new URL(res.url()).pathname.startsWith('/tiles/')) tileStatuses[res.status()] = (tileStatuses[res.status()] ?? 0) + 1;
    });
    // Stamps the moment the flag is set, so the measure does not depend on how often we poll;
    // the document, not its root element, is observed: the root does not exist yet here.
    // Long main-thread tasks are recorded too, to tell page work from waiting on the server.
    await page.addInitScript(() => {
      const w = window as unknown as { readyAt?: number; longTasks: { start: number; ms: number }[] };
      w.longTasks = [];
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) w.longTasks.push({ start: e.startTime, ms: e.duration });
      }).observe({ type: 'longtask', buffered: true });
      new MutationObserver((_, observer) => {
        if (document.documentElement?.dataset.ready === 'true') {
          w.readyAt = performance.now();
          observer.disconnect();
        }
      }).observe(document, { attributes: true, attributeFilter: ['data-ready'], subtree: true });
    });
    await page.goto(url);
    await page.waitForFunction(() => (window as unknown as { readyAt?: number }).readyAt !== undefined, undefined, { timeout: 180_000, polling: 50 });
    // Ready is set on an idle event, so usually everything is loaded already; if the page asked
    // for more since (labels, a late tile), the next idle is the complete render. (No named
    // functions in page code: the TypeScript runner would wrap them in a helper the page lacks.)
    const ms = await page.evaluate(
      () =>
        new Promise<number>((resolve) => {
          const map = window.tesseraMap!;
          if (map.loaded() && map.areTilesLoaded()) resolve((window as unknown as { readyAt: number }).readyAt);
          else map.once('idle', () => resolve(performance.now()));
        }),
    );
    const done = await page.evaluate((end) => {
      const w = window as unknown as { readyAt: number; longTasks: { start: number; ms: number }[] };
      const map = window.tesseraMap!;
      const ids = new Set(map.querySourceFeatures('zoning', { sourceLayer: 'villages' }).map((f) => f.properties.code as string));
      const tasks = w.longTasks.filter((t) => t.start < end).map((t) => t.ms);
      return {
        ms: end, readyMs: w.readyAt, zoom: map.getZoom(), villagesDrawn: ids.size, origin: performance.timeOrigin,
        longestTaskMs: Math.max(0, ...tasks), longTasksMs: tasks.reduce((a, b) => a + b, 0),
      };
    }, ms);
    if (screenshotPath) await page.screenshot({ path: screenshotPath });
    const { origin, ...measured } = done;
    const lastEnd = (prefix: string) => Math.max(0, ...finished.filter((f) => f.path.startsWith(prefix) && f.at - origin <= done.ms).map((f) => f.at - origin));
    return { ...measured, areasMs: lastEnd('/api/areas'), lastTileMs: lastEnd('/tiles/'), tileRequests, tileStatuses, requests, consoleErrors };
  } finally {
    await browser.close();
  }
}
