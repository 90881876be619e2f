// Drives the content page (/admin/content) in headless Chromium the way an admin does: keyboard and
// mouse on the real page, served by a real bot. tests/test_admin_browser.py runs one scenario at a time:
// `node admin_page.mjs` with {"scenario": ..., ...} as JSON on stdin; what it saw goes to stdout as JSON.
// It installs nothing itself (tests/card_browser.py does).
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const installed = (path) => fileURLToPath(new URL(`./node_modules/${path}`, import.meta.url));
const WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];
const WAIT = Number(process.env.ADMIN_PAGE_WAIT || 90_000); // a check of the whole content can take seconds on a slow machine

async function browser(run) {
  const profile = mkdtempSync(join(tmpdir(), "admin-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
    viewport: { width: 1280, height: 900 },
  });
  const errors = [];
  context.on("weberror", (error) => errors.push(String(error.error())));
  try {
    return { ...(await run(context)), errors };
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

async function page(context, url) {
  const tab = await context.newPage();
  const console = [];
  tab.on("console", (message) => {
    if (message.type() === "error") console.push(message.text());
  });
  tab.consoleErrors = console;
  if (url) await tab.goto(url);
  return tab;
}

async function opened(tab) {
  await tab.locator("#workspace").waitFor({ state: "visible", timeout: WAIT });
  await tab.locator("#check-state", { hasText: /problem/i }).waitFor({ timeout: WAIT });
}

/** Puts the cursor just before the closing quote of `line` (a one-line "quoted" value), as a person would. */
async function beforeClosingQuote(tab, line) {
  await tab.getByLabel("Go to line").fill(String(line));
  await tab.getByRole("button", { name: "Go", exact: true }).click();
  await tab.keyboard.press("End");
  await tab.keyboard.press("ArrowLeft");
}

async function problems(tab) {
  return tab.locator("#problems li span").allTextContents();
}

async function waitProblems(tab, wanted) {
  // "wanted": true waits for at least one problem, false for none.
  if (wanted) await tab.locator("#problems li").first().waitFor({ timeout: WAIT });
  else await tab.locator("#problems .ok").waitFor({ timeout: WAIT });
  return problems(tab);
}

async function signOffAndSave(tab, approver, button = "Save this version", shots = "") {
  await tab.getByLabel("Approved by").fill(approver);
  await tab.getByRole("button", { name: "Review changes" }).click();
  await tab.locator("#review-panel").waitFor({ state: "visible", timeout: WAIT });
  const diff = await tab.locator("#diff li").allTextContents();
  if (shots) {
    await tab.locator("#review-panel").scrollIntoViewIfNeeded();
    await tab.screenshot({ path: join(shots, "content-page-review.png"), fullPage: false });
  }
  await tab.getByRole("button", { name: button }).click();
  return diff;
}

async function saved(tab) {
  const result = tab.locator("#save-result[data-kind=ok], #save-result[data-kind=error], #conflict h3");
  await result.first().waitFor({ timeout: WAIT });
  return (await tab.locator("#save-result").textContent()) || "";
}

async function axe(tab) {
  // Evaluated through the browser's debugging protocol: the page's Content-Security-Policy (rightly) refuses
  // any script tag that is not its own.
  await tab.evaluate(readFileSync(installed("axe-core/axe.min.js"), "utf8"));
  return tab.evaluate(async (tags) => {
    const result = await window.axe.run(document, { runOnly: { type: "tag", values: tags }, resultTypes: ["violations"] });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => `${n.target.join(" ")}: ${n.failureSummary}`),
    }));
  }, WCAG);
}

async function previewText(tab) {
  return (await tab.locator("#preview").innerText()).replace(/\s+/g, " ");
}

// Scenarios.

const scenarios = {
  /** An admin edits a message: a problem appears and goes, the preview changes, they sign off and save. */
  async edit({ url, line, addition, broken, approver, shots }) {
    return browser(async (context) => {
      const tab = await page(context, url);
      await opened(tab);
      const before = await previewText(tab);
      await beforeClosingQuote(tab, line);
      await tab.keyboard.type(broken);
      const seen = await waitProblems(tab, true);
      const marked = await tab.locator(".cm-lintRange-error").count();
      if (shots) {
        await tab.locator("#problems").scrollIntoViewIfNeeded();
        await tab.screenshot({ path: join(shots, "content-page-problem.png"), fullPage: false });
      }
      for (let i = 0; i < broken.length; i++) await tab.keyboard.press("Backspace");
      const cleared = await waitProblems(tab, false);
      await tab.keyboard.type(addition);
      await tab.locator("#preview", { hasText: addition.trim() }).waitFor({ timeout: WAIT });
      const preview = await tab.locator("#preview figure[data-card]", { hasText: addition.trim() }).first().innerText();
      const changed = await tab.locator("#preview figure[data-card]", { hasText: addition.trim() }).first().getAttribute("data-card");
      await tab.getByLabel("Dark").check();
      const darkCards = await tab.locator("#preview .chat-dark").count();
      await tab.getByLabel("Phone").check();
      const narrow = await tab.locator("#preview .message").first().evaluate((el) => el.getBoundingClientRect().width);
      await tab.getByLabel("Light").check();
      await tab.getByLabel("Desktop").check();
      const wide = await tab.locator("#preview .message").first().evaluate((el) => el.getBoundingClientRect().width);
      const diff = await signOffAndSave(tab, approver, "Save this version", shots);
      const result = await saved(tab);
      const history = await tab.locator("#history li").allTextContents();
      const marks = await tab.locator("#marks li").allTextContents();
      return { seen, marked, cleared, before, preview, changed, darkCards, narrow, wide, diff, result, history, marks, console: tab.consoleErrors };
    });
  },

  /** Two admins open the same file; the first saves; the second is refused with a message and a diff. */
  async conflict({ url, line, first, second, approver }) {
    return browser(async (context) => {
      const one = await page(context, url);
      const two = await page(context, url);
      await opened(one);
      await opened(two);
      for (const [tab, words] of [
        [one, first],
        [two, second],
      ]) {
        await beforeClosingQuote(tab, line);
        await tab.keyboard.type(words);
        await waitProblems(tab, false);
      }
      await signOffAndSave(one, approver);
      const firstResult = await saved(one);
      await signOffAndSave(two, approver);
      await two.locator("#conflict h3").waitFor({ timeout: WAIT });
      const conflict = await two.locator("#conflict").innerText();
      const secondResult = await two.locator("#save-result").textContent();
      const editorKept = await two.locator(".cm-activeLine").innerText();
      await two.getByRole("button", { name: "Start again from their version" }).click();
      await two.locator("#conflict:empty").waitFor({ state: "attached", timeout: WAIT });
      await two.locator("#status", { hasText: "is open" }).waitFor({ timeout: WAIT });
      await beforeClosingQuote(two, line);
      const reloaded = await two.locator(".cm-activeLine").innerText();
      return { firstResult, conflict, secondResult, editorKept, reloaded };
    });
  },

  /** An earlier version is restored, after its diff is shown. */
  async restore({ url, number, approver }) {
    return browser(async (context) => {
      const tab = await page(context, url);
      await opened(tab);
      const before = await tab.locator("#history li").allTextContents();
      await tab.getByLabel("Approved by").fill(approver);
      await tab.getByRole("button", { name: `Restore version ${number}` }).click();
      await tab.locator("#review-panel").waitFor({ state: "visible", timeout: WAIT });
      const heading = await tab.locator("#review-heading").textContent();
      const diff = await tab.locator("#diff li").allTextContents();
      await tab.getByRole("button", { name: `Make version ${number} the newest version` }).click();
      const result = await saved(tab);
      const after = await tab.locator("#history li").allTextContents();
      return { before, heading, diff, result, after };
    });
  },

  /** Accessibility: axe-core (WCAG 2.0-2.2 A and AA) wide and light, narrow and dark; the keyboard's way. */
  async a11y({ url, shots }) {
    return browser(async (context) => {
      const tab = await page(context, url);
      await opened(tab);
      const wide = await axe(tab);
      if (shots) await tab.screenshot({ path: join(shots, "content-page-wide.png"), fullPage: false });
      // The keyboard: from the file picker, Tab reaches the editor, and Tab leaves it again.
      await tab.getByLabel("File", { exact: true }).focus();
      const order = [];
      for (let i = 0; i < 6; i++) {
        await tab.keyboard.press("Tab");
        order.push(await tab.evaluate(() => document.activeElement.getAttribute("aria-label") || document.activeElement.id || document.activeElement.textContent.trim().slice(0, 30)));
      }
      await tab.setViewportSize({ width: 320, height: 800 });
      await tab.emulateMedia({ colorScheme: "dark" });
      await tab.getByLabel("Dark").check();
      await tab.getByLabel("Phone").check();
      await tab.waitForTimeout(300);
      const overflow = await tab.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      const narrow = await axe(tab);
      if (shots) await tab.screenshot({ path: join(shots, "content-page-narrow-dark.png"), fullPage: false });
      await tab.setViewportSize({ width: 1280, height: 900 });
      if (shots) {
        await tab.evaluate(() => window.scrollTo(0, 0));
        await tab.screenshot({ path: join(shots, "content-page-dark.png"), fullPage: false });
      }
      await tab.emulateMedia({ colorScheme: "light" });
      await tab.setViewportSize({ width: 320, height: 800 });
      await tab.getByLabel("Light").check();
      if (shots) await tab.screenshot({ path: join(shots, "content-page-narrow.png"), fullPage: false });
      return { wide, narrow, order, overflow, console: tab.consoleErrors };
    });
  },

  /** Inside a Teams-like host: the real Teams library in the page asks the host for a token. */
  async teams({ bot, publicUrl, token, shots }) {
    return browser(async (context) => {
      const host = readFileSync(fileURLToPath(new URL("./teams_host.html", import.meta.url)), "utf8");
      // The bot is reached at its public https address, as Teams would reach it; the host is Teams' own.
      await context.route(`${publicUrl}/**`, async (route) => {
        const request = route.request();
        const target = bot + new URL(request.url()).pathname + new URL(request.url()).search;
        const response = await route.fetch({ url: target });
        await route.fulfill({ response });
      });
      await context.route("https://teams.microsoft.com/**", (route) =>
        route.fulfill({ contentType: "text/html", body: host.replace("%%TAB%%", `${publicUrl}/admin/content`).replace("%%TOKEN%%", token) }),
      );
      await context.route("https://res.cdn.office.net/**", (route) => route.abort());
      const tab = await page(context, "https://teams.microsoft.com/_#/apps/peer-wellbeing/content");
      const frame = tab.frameLocator("#tab");
      const shown = frame.locator("#workspace:not([hidden]), #refused:not([hidden]), #status[data-kind=error]");
      await shown.first().waitFor({ timeout: WAIT });
      const workspace = await frame.locator("#workspace").isVisible();
      // The file opened, its checks and preview shown: nothing left in flight.
      const ready = workspace ? await opened(frame).then(() => true, () => false) : false;
      const refused = (await frame.locator("#refused").isVisible()) ? await frame.locator("#refused").innerText() : "";
      const status = await frame.locator("#status").textContent();
      const who = await frame.locator("#who").textContent();
      if (shots) await tab.screenshot({ path: join(shots, "teams.png") });
      await context.unrouteAll({ behavior: "ignoreErrors" });
      const checkState = await frame.locator("#check-state").textContent();
      return { workspace, ready, refused, status, who, checkState, console: tab.consoleErrors };
    });
  },
};

const input = JSON.parse(readFileSync(0, "utf8"));
const result = await scenarios[input.scenario](input);
process.stdout.write(JSON.stringify(result));
