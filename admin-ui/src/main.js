// The content page: pick a file, edit it with the checker's problems shown as you type, see the cards and
// messages the edit changes, review the diff, sign off and save; earlier versions can be restored.
import { Api, query } from "./api.js";
import { renderDiff } from "./diff.js";
import { Editor } from "./editor.js";
import { renderPreview } from "./preview.js";

const CHECK_AFTER_MS = 400; // a pause in typing before the checker runs
const $ = (id) => document.getElementById(id);

const state = {
  session: null,
  file: null, // {name, text, sha, version, meta, history}
  base: "", // the sha of the version the edit started from
  problems: [],
  marks: [],
  preview: null,
  checking: 0,
  timer: null,
  restoring: null, // a version number while a restore is being reviewed
};

function say(id, text, kind = "") {
  const node = $(id);
  node.textContent = text;
  node.dataset.kind = kind;
}

function clear(node) {
  node.replaceChildren();
  return node;
}

function item(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  return node;
}

function button(text, onClick, className = "secondary") {
  const node = item("button", text, className);
  node.type = "button";
  node.addEventListener("click", onClick);
  return node;
}

// Signing in: inside Teams through the Teams library (loaded only there), in local mode not at all.

function loadScript(src) {
  return new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = src;
    script.onload = resolve;
    script.onerror = () => reject(new Error(`could not load ${src}`));
    document.head.append(script);
  });
}

async function signIn(mode) {
  if (mode !== "teams") return { token: async () => null, theme: null };
  await loadScript("/admin/static/teams.js");
  const teams = window.PeerWellbeingTeams;
  const context = await teams.start();
  teams.onTheme((theme) => applyTheme(theme));
  return { token: () => teams.token(), theme: context.theme };
}

function applyTheme(teamsTheme) {
  // Teams says "default", "dark" or "contrast"; without Teams the browser's preference decides (app.css).
  if (!teamsTheme) return;
  document.documentElement.dataset.theme = teamsTheme === "default" ? "light" : teamsTheme;
  choose("preview-theme", teamsTheme === "default" ? "light" : "dark");
}

function choose(name, value) {
  const input = document.querySelector(`input[name="${name}"][value="${value}"]`);
  if (input) input.checked = true;
}

function chosen(name) {
  return document.querySelector(`input[name="${name}"]:checked`)?.value;
}

// Start.

const mode = document.documentElement.dataset.mode;
let api;
let editor;

async function start() {
  say("status", "Opening…");
  let signedIn;
  try {
    signedIn = await signIn(mode);
  } catch {
    say("status", "This page opens inside Teams, from the bot's Content tab. It could not sign you in.", "error");
    return;
  }
  applyTheme(signedIn.theme);
  if (!signedIn.theme && window.matchMedia("(prefers-color-scheme: dark)").matches) choose("preview-theme", "dark");
  api = new Api(signedIn.token);
  const answer = await api.get("/admin/api/session");
  if (!answer.ok) {
    say("status", "");
    $("refused-text").textContent = answer.data?.message || "The bot did not let you in.";
    $("refused").hidden = false;
    $("refused-heading").focus();
    return;
  }
  state.session = answer.data;
  api.csrf = answer.data.csrf;
  $("who").textContent = answer.data.local
    ? "Local mode: no sign-in, this computer only."
    : `Signed in as ${answer.data.name || "an admin"}.`;
  $("storage-note").textContent =
    answer.data.storage === "database"
      ? "Saved versions are kept in the database; every copy of the bot serves the newest within seconds."
      : "Saving writes the file in the bot's content folder; the bot uses it at once.";
  const approver = $("approved-by");
  approver.value = answer.data.name || localStorage.getItem("peer-wellbeing-approved-by") || "";
  fillFiles(answer.data.files);
  editor = new Editor($("editor"), {
    label: "File text",
    describedBy: "editor-help",
    nonce: document.querySelector('meta[name="csp-nonce"]')?.content,
    onChange: () => edited(),
  });
  $("workspace").hidden = false;
  say("status", "");
  await openFile(answer.data.files[0].name);
}

function fillFiles(files) {
  const select = clear($("file"));
  for (const file of files) {
    const option = item("option", file.marks ? `${file.name} (${file.marks} to do before go-live)` : file.name);
    option.value = file.name;
    select.append(option);
  }
}

async function openFile(name) {
  say("status", `Opening ${name}…`);
  const answer = await api.get(`/admin/api/file?${query({ name })}`);
  if (!answer.ok) {
    say("status", answer.data?.message || "The file could not be opened.", "error");
    return;
  }
  state.file = answer.data;
  state.base = answer.data.sha;
  state.restoring = null;
  $("file").value = name;
  $("file-title").textContent = name;
  editor.load(answer.data.text, `Text of ${name}`);
  describeFile();
  showChecked(answer.data);
  renderHistory();
  hideReview();
  say("save-result", "");
  clear($("conflict"));
  say("status", `${name} is open.`);
}

function describeFile() {
  const { meta, version, name } = state.file;
  const parts = [];
  if (meta.version) parts.push(`Version ${meta.version}`);
  if (meta.approved_by) parts.push(`approved by ${meta.approved_by}`);
  if (meta.approved_on) parts.push(`on ${meta.approved_on}`);
  const saved = version ? ` Saved from this page as version ${version.number} by ${version.saved_by || "the files"}.` : "";
  $("file-note").textContent = `${parts.join(", ")}.${saved}`;
  $("guard-note").hidden = !name.startsWith("crisis");
}

// Checking as the admin types.

function edited() {
  hideReview();
  say("save-result", "");
  clearTimeout(state.timer);
  state.timer = setTimeout(check, CHECK_AFTER_MS);
  say("check-state", "Checking…");
}

async function check() {
  const ticket = ++state.checking;
  const answer = await api.post("/admin/api/check", { name: state.file.name, text: editor.text() });
  if (ticket !== state.checking) return; // a newer edit is being checked
  if (!answer.ok) {
    say("check-state", answer.data?.message || "The check could not run.", "error");
    return;
  }
  showChecked(answer.data);
}

function showChecked({ problems, marks, preview }) {
  state.problems = problems;
  state.marks = marks;
  const name = state.file.name;
  const here = problems.filter((p) => p.file === name && p.line);
  editor.show(here, marks);
  const list = clear($("problems"));
  if (!problems.length) {
    list.append(item("p", "No problems: `make check-content` would pass.", "ok"));
  } else {
    const ul = item("ul", undefined, "problem-list");
    for (const problem of problems) {
      const li = item("li");
      if (problem.file === name && problem.line) {
        li.append(button(`Go to line ${problem.line}`, () => editor.goTo(problem.line), "link"), " ");
      }
      li.append(item("span", problem.text));
      ul.append(li);
    }
    list.append(ul);
  }
  say("check-state", problems.length ? `${problems.length} problem${problems.length === 1 ? "" : "s"}` : "No problems", problems.length ? "error" : "ok");
  const marked = clear($("marks"));
  if (!marks.length) {
    marked.append(item("p", "Nothing in this file is waiting for go-live.", "ok"));
  } else {
    const ul = item("ul", undefined, "mark-list");
    for (const mark of marks) {
      const li = item("li");
      if (mark.line) li.append(button(`Go to line ${mark.line}`, () => editor.goTo(mark.line), "link"), " ");
      li.append(item("span", mark.message));
      ul.append(li);
    }
    marked.append(ul);
  }
  $("marks-heading").textContent = `Before go-live (${marks.length})`;
  if (preview) {
    state.preview = preview;
    $("preview").classList.remove("stale");
    $("preview-state").textContent = "";
  } else if (problems.length) {
    $("preview").classList.add("stale");
    $("preview-state").textContent = "The preview waits until the problems are fixed.";
  }
  drawPreview();
}

function drawPreview() {
  renderPreview($("preview"), state.preview, { theme: chosen("preview-theme"), width: chosen("preview-width") });
  $("preview-area").dataset.width = chosen("preview-width");
}

// Reviewing and saving.

function approvedBy() {
  const value = $("approved-by").value.trim();
  if (!value) {
    say("save-result", "Say who approved this change first.", "error");
    $("approved-by").focus();
    return null;
  }
  return value;
}

function hideReview() {
  $("review-panel").hidden = true;
  state.restoring = null;
}

async function review(restore = null) {
  const approver = approvedBy();
  if (!approver) return;
  if (restore === null && state.problems.length) {
    say("save-result", "Fix the problems first: a version with problems cannot be saved.", "error");
    $("problems").focus();
    return;
  }
  const body = { name: state.file.name, approved_by: approver, base: state.base };
  if (restore === null) body.text = editor.text();
  else body.restore = restore;
  const answer = await api.post("/admin/api/prepare", body);
  if (!answer.ok) {
    say("save-result", answer.data?.message || "The changes could not be prepared.", "error");
    return;
  }
  if (!answer.data.changed) {
    say("save-result", "Nothing has changed: there is nothing to save.", "error");
    return;
  }
  state.restoring = restore;
  $("review-heading").textContent =
    restore === null ? "Changes you are about to save" : `Restoring version ${restore} makes these changes`;
  $("save").textContent = restore === null ? "Save this version" : `Make version ${restore} the newest version`;
  renderDiff($("diff"), answer.data.diff);
  const problems = answer.data.problems || [];
  $("review-problems").textContent = problems.length
    ? `This version would have ${problems.length} problem(s): ${problems.map((p) => p.text).join(" ")}`
    : "";
  $("review-panel").hidden = false;
  $("review-heading").focus();
}

async function saveNow() {
  const approver = approvedBy();
  if (!approver) return;
  localStorage.setItem("peer-wellbeing-approved-by", approver);
  const restore = state.restoring;
  const body = { name: state.file.name, approved_by: approver, base: state.base };
  if (restore === null) body.text = editor.text();
  else body.restore = restore;
  $("save").disabled = true;
  editor.setReadOnly(true);
  say("save-result", "Checking the whole content and saving…");
  const answer = await api.post("/admin/api/save", body);
  $("save").disabled = false;
  editor.setReadOnly(false);
  if (answer.status === 409) {
    hideReview();
    showConflict(answer.data);
    return;
  }
  if (answer.status === 422) {
    hideReview();
    showChecked({ problems: answer.data.problems, marks: [], preview: null });
    say("save-result", "Not saved: the whole content would have these problems.", "error");
    return;
  }
  if (!answer.ok) {
    say("save-result", answer.data?.message || "Not saved: something went wrong.", "error");
    return;
  }
  const saved = answer.data.version;
  await openFile(state.file.name);
  const verb = restore === null ? "Saved" : `Restored version ${restore}`;
  say(
    "save-result",
    `${verb} as version ${saved.number} (${saved.meta_version}), approved by ${saved.approved_by} on ${saved.approved_on}. ` +
      (answer.data.live ? "The bot is using it now." : "The bot has not taken it up yet."),
    "ok",
  );
  $("save-result").focus();
}

function showConflict(data) {
  const box = clear($("conflict"));
  box.append(item("h3", "Not saved: someone else saved this file first", "conflict-title"));
  box.append(item("p", data.message));
  if (data.theirs) {
    box.append(item("h4", "What they changed"));
    const theirs = item("div");
    renderDiff(theirs, data.theirs);
    box.append(theirs);
  }
  box.append(item("h4", "How their version differs from your edit"));
  const yours = item("div");
  renderDiff(yours, data.yours);
  box.append(yours);
  box.append(
    button("Start again from their version", () => {
      state.base = data.current.sha;
      state.file.sha = data.current.sha;
      editor.load(data.current.text, `Text of ${state.file.name}`);
      clear($("conflict"));
      openFile(state.file.name);
    }, "primary"),
  );
  box.tabIndex = -1;
  box.focus();
}

// History.

function renderHistory() {
  const list = clear($("history"));
  const versions = state.file.history;
  if (!versions.length) {
    list.append(item("li", "No versions saved from this page yet. The first save keeps the file as it is now too."));
    return;
  }
  for (const version of versions) {
    const li = item("li", undefined, "version");
    const when = version.saved_at.replace("T", " ").replace("+00:00", " UTC");
    const who =
      version.action === "found"
        ? "the file as it was before the first save from this page"
        : `${version.action === "restored" ? `restored from version ${version.restored_from}` : "saved"} by ${version.saved_by} (${version.admin})`;
    li.append(item("strong", `Version ${version.number}`), ` · ${version.meta_version || "no version"} · ${who} · ${when}`);
    if (version.approved_by) li.append(item("span", ` · approved by ${version.approved_by} on ${version.approved_on}`));
    const current = version.sha === state.file.sha;
    if (current) {
      li.append(" ", item("em", "(in use now)"));
    } else {
      li.append(" ", button(`Restore version ${version.number}`, () => review(version.number)));
    }
    list.append(li);
  }
}

// Wiring.

$("file").addEventListener("change", (event) => openFile(event.target.value));
$("goto-button").addEventListener("click", () => editor.goTo(Number($("goto-line").value)));
$("goto-line").addEventListener("keydown", (event) => {
  if (event.key === "Enter") editor.goTo(Number($("goto-line").value));
});
$("review").addEventListener("click", () => review(null));
$("save").addEventListener("click", saveNow);
$("cancel").addEventListener("click", () => {
  hideReview();
  $("review").focus();
});
for (const input of document.querySelectorAll('input[name="preview-theme"], input[name="preview-width"]')) {
  input.addEventListener("change", drawPreview);
}

start();
