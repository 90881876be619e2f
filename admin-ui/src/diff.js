// A line diff as the server computes it, drawn so that colour is never the only sign: each line says
// "Removed" or "Added" to screen readers and shows − or + beside it.

export function renderDiff(container, rows, { empty = "No changes." } = {}) {
  container.replaceChildren();
  if (!rows || !rows.length) {
    const none = document.createElement("p");
    none.textContent = empty;
    container.append(none);
    return;
  }
  const list = document.createElement("ol");
  list.className = "diff";
  for (const row of rows) {
    const item = document.createElement("li");
    item.className = `diff-${row.kind}`;
    if (row.kind === "hunk") {
      item.textContent = row.text;
      list.append(item);
      continue;
    }
    const sign = document.createElement("span");
    sign.className = "diff-sign";
    sign.setAttribute("aria-hidden", "true");
    sign.textContent = row.kind === "added" ? "+" : row.kind === "removed" ? "−" : " ";
    const said = document.createElement("span");
    said.className = "visually-hidden";
    const where = row.kind === "added" ? `line ${row.new}` : `line ${row.old}`;
    said.textContent = row.kind === "added" ? `Added, ${where}: ` : row.kind === "removed" ? `Removed, ${where}: ` : `${where}: `;
    const number = document.createElement("span");
    number.className = "diff-line";
    number.setAttribute("aria-hidden", "true");
    number.textContent = String(row.kind === "added" ? row.new : row.old);
    const text = document.createElement("code");
    text.textContent = row.text || " ";
    item.append(number, sign, said, text);
    list.append(item);
  }
  container.append(list);
}
