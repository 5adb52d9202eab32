/* lib.mjs - shared harness of the browser tests (tests/browser/*.mjs).
 *
 * Debian's Chromium (/usr/bin/chromium, or $TT_CHROMIUM), headless, driven
 * with playwright-core (pinned in package-lock.json; tests/browser/run.sh
 * installs it).  No browser is ever downloaded.
 *
 *   import { runTest, launch, shooter, waitUntil, log } from "./lib.mjs";
 *   runTest("name", async ({ browser, context, page, shot, out, env }) => { ... });
 *
 * runTest launches the browser, opens one context and page (1366x900,
 * Vietnamese locale, Asia/Ho_Chi_Minh), makes every wait generous
 * (TT_BROWSER_TIMEOUT_MS, default 60 s: tests never depend on speed), fails
 * the test on any uncaught error in a page, saves failure.png on failure,
 * closes the browser and exits 0 (pass) or 1 (fail) after printing
 * "N passed, N failed" for the steps.  Screenshots go to $TT_BROWSER_OUT
 * (or ./out): shot(page, "name") writes NN-name.png, numbered in order. */
import { chromium } from "playwright-core";
import fs from "node:fs";
import path from "node:path";

export const TIMEOUT_MS = Number(process.env.TT_BROWSER_TIMEOUT_MS || 60000);

export function log(...a) { console.log(...a); }

/* Headless Chromium from Debian.  As root (CI runs as root) Chromium's
 * sandbox cannot start without user namespaces set up for it, so it is
 * off there; /dev/shm may be small in containers, so it is not used. */
export async function launch(opts = {}) {
  const executablePath = process.env.TT_CHROMIUM || "/usr/bin/chromium";
  if (!fs.existsSync(executablePath))
    throw new Error(`${executablePath} not found: run scripts/setup (it installs Debian's chromium)`);
  const args = [
    "--disable-dev-shm-usage", "--disable-gpu", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-default-apps", "--mute-audio",
    "--font-render-hinting=none"
  ];
  const root = typeof process.getuid === "function" && process.getuid() === 0;
  return chromium.launch({
    executablePath, headless: true, chromiumSandbox: !root, args: args.concat(opts.args || []),
    timeout: TIMEOUT_MS
  });
}

/* shooter(dir): shot(page, name[, {fullPage, locator}]) saves dir/NN-name.png */
export function shooter(dir) {
  fs.mkdirSync(dir, { recursive: true });
  let n = 0;
  const shot = async (page, name, o = {}) => {
    n += 1;
    const file = path.join(dir, `${String(n).padStart(2, "0")}-${name}.png`);
    if (o.locator) await o.locator.screenshot({ path: file });
    else await page.screenshot({ path: file, fullPage: o.fullPage !== false });
    log(`screenshot: ${file}`);
    return file;
  };
  return shot;
}

/* waitUntil(fn, what[, timeoutMs, everyMs]): polls fn() (may be async)
 * until it returns a truthy value, which it returns; throws naming what. */
export async function waitUntil(fn, what, timeoutMs = TIMEOUT_MS, everyMs = 50) {
  const end = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try { const v = await fn(); if (v) return v; last = v; } catch (e) { last = e.message; }
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${JSON.stringify(last)})`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export function median(a) {
  const s = [...a].sort((x, y) => x - y), n = s.length;
  return n === 0 ? NaN : n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

/* runTest(name, fn): see the top of this file.  fn gets a step(label, fn)
 * that runs one named step and counts it. */
export async function runTest(name, fn) {
  const out = path.resolve(process.env.TT_BROWSER_OUT || "out");
  fs.mkdirSync(out, { recursive: true });
  let browser, page, passed = 0, failed = 0;
  const pageErrors = [];
  try {
    browser = await launch();
    const context = await browser.newContext({
      viewport: { width: 1366, height: 900 }, locale: "vi-VN", timezoneId: "Asia/Ho_Chi_Minh"
    });
    context.setDefaultTimeout(TIMEOUT_MS);
    context.setDefaultNavigationTimeout(TIMEOUT_MS);
    page = await context.newPage();
    const watchPage = (p) => {
      p.on("pageerror", (e) => pageErrors.push(`${p.url()}: ${e.message}`));
      p.on("console", (m) => { if (m.type() === "error") log(`${name}: page console error: ${m.text()}`); });
    };
    context.on("page", watchPage);
    watchPage(page);
    const step = async (label, f) => {
      const t0 = Date.now();
      await f();
      if (pageErrors.length) throw new Error(`uncaught error in the page: ${pageErrors.join("; ")}`);
      passed += 1;
      log(`${name}: ok ${label} (${Date.now() - t0} ms)`);
    };
    await fn({ browser, context, page, shot: shooter(out), out, step, env: process.env });
  } catch (e) {
    failed += 1;
    console.error(`${name}: FAILED: ${e && e.stack ? e.stack : e}`);
    if (page) {
      try {
        await page.screenshot({ path: path.join(out, "failure.png"), fullPage: true });
        console.error(`${name}: the page at the failure: ${path.join(out, "failure.png")}`);
      } catch (_) { /* the page may be gone */ }
    }
  } finally {
    if (browser) await browser.close().catch(() => {});
  }
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}
