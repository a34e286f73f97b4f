// The real-browser checks of herald's output, run by tests/browser.rs (which
// builds the sites and asserts on what this prints). Debian's chromium,
// driven by puppeteer-core; axe-core for WCAG 2.1 A and AA.
//
//   node check.mjs <plan.json>
//
// plan.json: {
//   "chromium": "/usr/bin/chromium",
//   "sites": [{ "base": "https://example.se/blogg/", "dir": "/abs/public" }],
//   "pages": ["https://example.se/blogg/", ...],  // audited at 1280 and 320 px, light and dark
//   "emails": ["/abs/digest.html"],                // widths measured at 320 and 600 px
//   "screenshots": { "dir": "/abs/docs/screenshots",  // optional
//                    "shots": [{ "name": "index", "url": "https://..." }, { "name": "email", "file": "/abs/x.html" }] }
// }
//
// Every request for a site's URL is answered from its folder, and every other
// request is refused: nothing leaves the machine, no server or port is needed.
// Prints one JSON object on stdout (see `report` below).

import { readFile, mkdir, mkdtemp, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import puppeteer from "puppeteer-core";

const require = createRequire(import.meta.url);
const AXE_SOURCE = await readFile(require.resolve("axe-core/axe.min.js"), "utf8");
const AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];
const WIDTHS = [1280, 320];
const SCHEMES = ["light", "dark"];
const EMAIL_WIDTHS = [320, 600];
const SHOT_SIZES = { desktop: [1280, 800], phone: [390, 844] };
const TABS = 2;

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".xml": "application/xml",
  ".json": "application/json",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".png": "image/png",
  ".webp": "image/webp",
  ".svg": "image/svg+xml",
  ".pdf": "application/pdf",
};

const plan = JSON.parse(await readFile(process.argv[2], "utf8"));
const profile = await mkdtemp(path.join(tmpdir(), "herald-chromium-"));
const browser = await puppeteer.launch({
  executablePath: plan.chromium,
  headless: true,
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--font-render-hinting=none",
    `--user-data-dir=${profile}`,
  ],
});

try {
  const report = { pages: [], emails: [], screenshots: [] };
  const tabs = await Promise.all(Array.from({ length: TABS }, () => openTab()));
  const queue = [...plan.pages];
  await Promise.all(
    tabs.map(async (tab) => {
      for (let url = queue.shift(); url; url = queue.shift()) {
        report.pages.push(...(await audit(tab, url)));
      }
    }),
  );
  for (const file of plan.emails ?? []) {
    report.emails.push(...(await measureEmail(tabs[0], file)));
  }
  if (plan.screenshots) {
    report.screenshots = await screenshots(plan.screenshots);
  }
  report.pages.sort((a, b) => a.url.localeCompare(b.url) || a.width - b.width || a.scheme.localeCompare(b.scheme));
  process.stdout.write(JSON.stringify(report));
} finally {
  await browser.close();
  await rm(profile, { recursive: true, force: true });
}

/** A tab whose requests are answered from the sites' folders. */
async function openTab(context = browser.defaultBrowserContext()) {
  const tab = await context.newPage();
  await tab.setRequestInterception(true);
  tab.on("request", (request) => answer(request).catch(() => request.abort("failed")));
  return tab;
}

async function answer(request) {
  const url = request.url();
  if (url.startsWith("file:") || url.startsWith("data:")) {
    return request.continue();
  }
  const site = plan.sites.find((s) => url.startsWith(s.base));
  if (!site) {
    return request.abort("blockedbyclient");
  }
  let rel = decodeURIComponent(new URL(url).pathname.slice(new URL(site.base).pathname.length));
  if (rel === "" || rel.endsWith("/")) {
    rel += "index.html";
  }
  const body = await readFile(path.join(site.dir, rel));
  const type = TYPES[path.extname(rel).toLowerCase()] ?? "application/octet-stream";
  return request.respond({ status: 200, contentType: type, body });
}

/** axe-core at every width and colour scheme, and the page's width at each. */
async function audit(tab, url) {
  const response = await tab.goto(url, { waitUntil: "load" });
  if (!response || !response.ok()) {
    throw new Error(`${url}: no page (${response?.status()})`);
  }
  await tab.evaluate(AXE_SOURCE);
  const results = [];
  for (const width of WIDTHS) {
    await tab.setViewport({ width, height: 800 });
    for (const scheme of SCHEMES) {
      await tab.emulateMediaFeatures([{ name: "prefers-color-scheme", value: scheme }]);
      const result = await tab.evaluate(async (tags) => {
        const axeResult = await window.axe.run(document, {
          runOnly: { type: "tag", values: tags },
          resultTypes: ["violations"],
        });
        return {
          violations: axeResult.violations.map((v) => ({
            id: v.id,
            impact: v.impact,
            help: v.help,
            targets: v.nodes.slice(0, 5).map((n) => n.target.join(" ")),
            summary: v.nodes[0]?.failureSummary ?? "",
          })),
          scrollWidth: document.documentElement.scrollWidth,
          innerWidth: window.innerWidth,
        };
      }, AXE_TAGS);
      results.push({ url, width, scheme, ...result });
    }
  }
  return results;
}

/** The email's HTML part: how wide it makes the window scroll. */
async function measureEmail(tab, file) {
  await tab.goto(pathToFileURL(file).href, { waitUntil: "load" });
  const results = [];
  for (const width of EMAIL_WIDTHS) {
    await tab.setViewport({ width, height: 800 });
    const size = await tab.evaluate(() => ({
      scrollWidth: document.documentElement.scrollWidth,
      innerWidth: window.innerWidth,
    }));
    results.push({ file, width, ...size });
  }
  return results;
}

/** PNGs of the first screen, desktop and phone, light mode. Each in a
 * browser context of its own: an image already in memory from another page
 * or width would change which copy of a srcset is drawn. */
async function screenshots({ dir, shots }) {
  await mkdir(dir, { recursive: true });
  const written = [];
  for (const shot of shots) {
    const target = shot.url ?? pathToFileURL(shot.file).href;
    for (const [device, [width, height]] of Object.entries(SHOT_SIZES)) {
      const context = await browser.createBrowserContext();
      const tab = await openTab(context);
      await tab.emulateMediaFeatures([{ name: "prefers-color-scheme", value: "light" }]);
      await tab.setViewport({ width, height, deviceScaleFactor: 1 });
      await tab.goto(target, { waitUntil: "load" });
      // Lazy images below the first screen would load at different moments
      // from run to run: load them all, and wait for every one.
      await tab.evaluate(() => {
        for (const img of document.images) img.loading = "eager";
      });
      await tab.waitForFunction(() => [...document.images].every((img) => img.complete));
      await tab.evaluate(() => document.fonts.ready.then(() => true));
      const file = path.join(dir, `${shot.name}-${device}.png`);
      await tab.screenshot({ path: file, captureBeyondViewport: false });
      await context.close();
      written.push(file);
    }
  }
  return written;
}
