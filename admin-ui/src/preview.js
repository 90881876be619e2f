// What a worker will see: the cards and messages an edit changes, drawn with the Adaptive Cards JavaScript
// renderer in Teams' light or dark style, at a phone's width or the desktop's.
import * as AC from "adaptivecards";
import MarkdownIt from "markdown-it";
import { TEAMS, WIDTHS } from "./hostconfig.js";

// Teams turns a card's markdown (bold, lists, links) into HTML; HTML written in content stays text.
const markdown = new MarkdownIt({ html: false, linkify: false, breaks: false });
AC.AdaptiveCard.onProcessMarkdown = (text, result) => {
  result.outputHtml = markdown.render(text);
  result.didProcess = true;
};

function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name === "class") node.className = value;
    else if (name === "text") node.textContent = value;
    else node.setAttribute(name, value);
  }
  node.append(...children.filter(Boolean));
  return node;
}

/** The card drawn as Teams would draw it; its buttons and fields are a picture here, out of the Tab order. */
export function drawCard(card, theme) {
  const adaptive = new AC.AdaptiveCard();
  adaptive.hostConfig = new AC.HostConfig(TEAMS[theme].config);
  adaptive.onExecuteAction = () => {};
  adaptive.parse(card);
  const rendered = adaptive.render();
  if (!rendered) return element("p", { text: "This card could not be drawn." });
  for (const control of rendered.querySelectorAll("button, input, select, textarea, a[href], [tabindex]")) {
    control.setAttribute("tabindex", "-1");
  }
  return rendered;
}

function bubble(text) {
  // A plain message, as Teams shows the bot's text (markdown, paragraphs).
  const body = element("div", { class: "bubble-text" });
  body.innerHTML = markdown.render(text);
  for (const link of body.querySelectorAll("a")) link.setAttribute("tabindex", "-1");
  return body;
}

export function renderPreview(container, preview, { theme, width }) {
  container.replaceChildren();
  if (!preview) return;
  const style = TEAMS[theme];
  const items = [];
  for (const message of preview.messages) {
    items.push({ title: `Message: ${message.key}`, note: "changed", body: bubble(message.text), kind: "message" });
  }
  for (const shown of preview.cards) {
    items.push({
      title: `Card: ${shown.title}`,
      note: shown.changed ? "changed by this edit" : "shows words from this file",
      body: drawCard(shown.card, theme),
      kind: "card",
      name: shown.name,
    });
  }
  if (!items.length) {
    container.append(element("p", { text: "Nothing a worker sees changes with this edit." }));
    return;
  }
  for (const item of items) {
    const id = `preview-${Math.random().toString(36).slice(2)}`;
    const chat = element(
      "div",
      { class: `chat chat-${theme}` },
      element("div", { class: `message message-${item.kind}` }, item.body),
    );
    // Through the style object: the page's Content-Security-Policy allows no style attributes.
    chat.style.setProperty("--chat-width", `${WIDTHS[width]}px`);
    chat.style.setProperty("--chat-bg", style.chat);
    const figure = element(
      "figure",
      { class: "shown", role: "group", "aria-labelledby": id, ...(item.name ? { "data-card": item.name } : {}) },
      element("figcaption", { id }, element("span", { class: "shown-title", text: item.title }), ` (${item.note})`),
      chat,
    );
    container.append(figure);
  }
}
