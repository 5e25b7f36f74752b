#!/usr/bin/env node
// Renders HTML reports in headless Chromium at 1280 px and fails on what a reader would see go
// wrong: a page wider than the window, a table cell whose content overflows it, a header or a
// short cell (numbers, severities, regions, statuses) broken across lines, and any request the page
// makes (the reports are self-contained: no scripts, fonts or images from anywhere).
//
//   node scripts/browser-check.cjs FILE.html...
//
// Needs Debian's chromium (/usr/bin/chromium, or $CHROMIUM) and playwright-core in .tools
// (scripts/test installs both). Prints one line per problem and exits 1 if there is any.
"use strict";
const path = require("path");
const { chromium } = require(path.join(__dirname, "..", ".tools", "node_modules", "playwright-core"));

async function main() {
  const files = process.argv.slice(2);
  if (files.length === 0) {
    console.error("usage: node scripts/browser-check.cjs FILE.html...");
    process.exit(2);
  }
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    // No background traffic: this machine's network is closed, and a report needs none.
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  let problems = 0;
  try {
    for (const file of files) {
      const url = "file://" + path.resolve(file);
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const requests = [];
      page.on("request", (r) => {
        if (r.url() !== url) requests.push(r.url());
      });
      await page.goto(url, { waitUntil: "load" });
      const found = await page.evaluate(() => {
        const out = [];
        const width = document.documentElement.scrollWidth;
        if (width > window.innerWidth) {
          out.push(`the page is ${width} px wide, wider than the ${window.innerWidth} px window`);
        }
        const text = (el) => el.textContent.trim().replace(/\s+/g, " ").slice(0, 60);
        for (const el of document.querySelectorAll("th, td")) {
          if (el.scrollWidth > el.clientWidth + 1) {
            out.push(`<${el.tagName.toLowerCase()}> "${text(el)}" overflows its cell`);
          }
        }
        // A header or short cell keeps its words whole: one line box each.
        for (const el of document.querySelectorAll("th, td.num, td.word")) {
          const range = document.createRange();
          range.selectNodeContents(el);
          // Boxes that overlap vertically share a line (a badge's padding box and its text).
          const rects = [...range.getClientRects()]
            .filter((r) => r.width > 0 && r.height > 0)
            .sort((a, b) => a.top - b.top);
          let lines = 0;
          let bottom = -Infinity;
          for (const r of rects) {
            if (r.top >= bottom - 1) {
              lines += 1;
              bottom = r.bottom;
            } else {
              bottom = Math.max(bottom, r.bottom);
            }
          }
          if (lines > 1) {
            out.push(`<${el.tagName.toLowerCase()}> "${text(el)}" breaks over ${lines} lines`);
          }
        }
        return out;
      });
      await page.close();
      for (const request of requests) {
        found.push(`the page requested ${request}`);
      }
      for (const problem of found) {
        console.log(`${file}: ${problem}`);
      }
      problems += found.length;
    }
  } finally {
    await browser.close();
  }
  process.exit(problems > 0 ? 1 : 0);
}

main().catch((e) => {
  console.error(e && e.message ? e.message : String(e));
  process.exit(2);
});
