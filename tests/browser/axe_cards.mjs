// Draws Adaptive Cards with the Adaptive Cards JavaScript renderer in headless Chromium, runs axe-core on
// each with the WCAG 2.x A and AA rules, then presses its first button. Cards come as JSON on stdin
// ({"name": card, ...}); the results go to stdout as JSON. tests/test_cards_a11y.py runs it; it installs
// nothing itself.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

// Files of the packages in this folder's node_modules (npm ci from package-lock.json).
const installed = (path) => fileURLToPath(new URL(`./node_modules/${path}`, import.meta.url));
const version = (name) => JSON.parse(readFileSync(installed(`${name}/package.json`), "utf8")).version;

const WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];

// Teams' light theme, as Teams and Agents Playground draw cards in a chat: its text colours decide contrast.
const HOST_CONFIG = {
  supportsInteractivity: true,
  fontTypes: {
    default: {
      fontFamily: "'Segoe UI', Tahoma, Geneva, Verdana, sans-serif",
      fontSizes: { small: 12, default: 14, medium: 14, large: 18, extraLarge: 24 },
      fontWeights: { lighter: 200, default: 400, bolder: 600 },
    },
    monospace: {
      fontFamily: "'Courier New', Courier, monospace",
      fontSizes: { small: 12, default: 14, medium: 14, large: 18, extraLarge: 24 },
      fontWeights: { lighter: 200, default: 400, bolder: 600 },
    },
  },
  containerStyles: {
    default: {
      backgroundColor: "#ffffff",
      foregroundColors: {
        default: { default: "#ff252424", subtle: "#bf252424" },
        accent: { default: "#6264a7", subtle: "#8b8cc7" },
      },
    },
  },
  actions: { maxActions: 6 },
};

const PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Card</title></head>
<body style="background:#ffffff;margin:0"><main id="chat" style="width:480px;padding:16px"></main></body></html>`;

function render([card, hostConfig]) {
  const AC = window.AdaptiveCards;
  const host = document.getElementById("chat");
  host.replaceChildren();
  const adaptive = new AC.AdaptiveCard();
  adaptive.hostConfig = new AC.HostConfig(hostConfig);
  const context = new AC.SerializationContext();
  adaptive.parse(card, context);
  const problems = [];
  for (let i = 0; i < context.eventCount; i++) {
    const event = context.getEventAt(i);
    problems.push(`${AC.ValidationEvent[event.event]}: ${event.message}`);
  }
  window.drawnCard = adaptive;
  const rendered = adaptive.render();
  if (rendered) {
    host.appendChild(rendered);
  } else {
    problems.push("the renderer drew nothing");
  }
  return problems;
}

// WCAG 2.5.8 (target size) excepts a target whose size the browser sets and the author does not: the
// renderer leaves radio buttons and check boxes at the browser's own size, and a card has no property
// to change it, so those are counted apart ("browser_sized"); every other target is held to 24px.
async function check(tags) {
  const probe = document.body.appendChild(document.createElement("input"));
  probe.type = "radio";
  const { width, height } = probe.getBoundingClientRect();
  probe.remove();
  const browserSized = (selector) => {
    const element = document.querySelector(selector);
    const box = element?.getBoundingClientRect();
    return element?.matches("input[type=radio], input[type=checkbox]") && box.width === width && box.height === height;
  };
  const axe = await window.axe.run("#chat", { runOnly: { type: "tag", values: tags }, resultTypes: ["violations"] });
  const violations = [];
  let browser_sized = 0;
  for (const v of axe.violations) {
    const nodes = v.nodes.filter((n) => !(v.id === "target-size" && browserSized(n.target.join(" "))));
    browser_sized += v.nodes.length - nodes.length;
    if (nodes.length) {
      const found = nodes.map((n) => ({ target: n.target.join(" "), summary: n.failureSummary }));
      violations.push({ id: v.id, impact: v.impact, help: v.help, nodes: found });
    }
  }
  return { violations, browser_sized };
}

// Presses the card's first button after typing into every date a day before the earliest it allows,
// and returns the title of the button that was sent (null if the renderer held it back).
function pressFirstButton() {
  for (const date of document.querySelectorAll("#chat input[type=date][min]")) {
    date.value = "1900-01-01";
    date.dispatchEvent(new Event("input", { bubbles: true }));
  }
  let sent = null;
  window.drawnCard.onExecuteAction = (action) => {
    sent = action.title;
  };
  if (window.drawnCard.getActionCount() > 0) {
    window.drawnCard.getActionAt(0).execute();
  }
  return sent;
}

async function main() {
  const cards = JSON.parse(readFileSync(0, "utf8"));
  const profile = mkdtempSync(join(tmpdir(), "cards-chromium-"));
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
  });
  try {
    const page = browser.pages()[0] || (await browser.newPage());
    await page.setContent(PAGE);
    await page.addScriptTag({ path: installed("markdown-it/dist/browser/markdown-it.umd.min.js") });
    await page.addScriptTag({ path: installed("adaptivecards/dist/adaptivecards.min.js") });
    await page.addScriptTag({ path: installed("axe-core/axe.min.js") });
    const results = {};
    for (const [name, card] of Object.entries(cards)) {
      const renderer = await page.evaluate(render, [card, HOST_CONFIG]);
      results[name] = {
        renderer,
        inputs: await page.locator("#chat input, #chat select, #chat textarea").count(),
        ...(await page.evaluate(check, WCAG)),
        first_button_sent: await page.evaluate(pressFirstButton),
      };
    }
    const versions = Object.fromEntries(["adaptivecards", "axe-core", "markdown-it", "playwright-core"].map((n) => [n, version(n)]));
    process.stdout.write(JSON.stringify({ versions, browser: browser.browser()?.version() ?? "", results }));
  } finally {
    await browser.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

await main();
