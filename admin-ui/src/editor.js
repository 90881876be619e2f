// The YAML editor: CodeMirror 6 with YAML highlighting, the checker's problems and the go-live marks shown
// on their lines. Tab is not bound (indentWithTab is left out), so it moves focus on and the editor never
// traps the keyboard; type spaces to indent. Ctrl+Z undoes; Ctrl+Shift+M lists the marked lines.
import { defaultKeymap, history, historyKeymap } from "@codemirror/commands";
import { yaml } from "@codemirror/lang-yaml";
import { HighlightStyle, bracketMatching, indentOnInput, syntaxHighlighting } from "@codemirror/language";
import { lintGutter, lintKeymap, setDiagnostics } from "@codemirror/lint";
import { Compartment, EditorState } from "@codemirror/state";
import {
  EditorView,
  drawSelection,
  highlightActiveLine,
  highlightActiveLineGutter,
  highlightSpecialChars,
  keymap,
  lineNumbers,
} from "@codemirror/view";
import { tags } from "@lezer/highlight";

// Colours are CSS variables (app.css), so the page's light and dark themes both meet WCAG AA contrast.
const yamlColours = HighlightStyle.define([
  { tag: [tags.propertyName, tags.definition(tags.propertyName)], color: "var(--code-key)", fontWeight: "600" },
  { tag: [tags.string, tags.special(tags.string)], color: "var(--code-string)" },
  { tag: [tags.number, tags.bool, tags.null, tags.atom], color: "var(--code-value)" },
  { tag: [tags.lineComment, tags.comment], color: "var(--code-comment)", fontStyle: "italic" },
  { tag: [tags.meta, tags.labelName, tags.typeName], color: "var(--code-meta)" },
  { tag: [tags.punctuation, tags.separator, tags.squareBracket, tags.brace], color: "var(--code-punctuation)" },
]);

const look = EditorView.theme({
  "&": { backgroundColor: "var(--surface)", color: "var(--text)", fontSize: "14px" },
  ".cm-content": { fontFamily: "var(--mono)", caretColor: "var(--text)" },
  ".cm-gutters": { backgroundColor: "var(--surface-2)", color: "var(--muted)", borderRight: "1px solid var(--line)" },
  ".cm-activeLine": { backgroundColor: "var(--active-line)" },
  ".cm-activeLineGutter": { backgroundColor: "var(--active-line)", color: "var(--text)" },
  "&.cm-focused": { outline: "3px solid var(--focus)", outlineOffset: "2px" },
  ".cm-selectionBackground, &.cm-focused .cm-selectionBackground": { backgroundColor: "var(--selection) !important" },
  ".cm-tooltip": { backgroundColor: "var(--surface)", color: "var(--text)", border: "1px solid var(--line)" },
  ".cm-diagnostic-error": { borderLeft: "5px solid var(--error)" },
  ".cm-diagnostic-warning": { borderLeft: "5px solid var(--warning)" },
  ".cm-panels": { backgroundColor: "var(--surface-2)", color: "var(--text)" },
});

export class Editor {
  constructor(parent, { label, describedBy, nonce, onChange }) {
    this.onChange = onChange;
    this.readOnly = new Compartment();
    this.silent = false;
    this.extensions = { label, describedBy, nonce };
    this.view = new EditorView({ parent, state: this.state("") });
  }

  state(text) {
    const { label, describedBy, nonce } = this.extensions;
    return EditorState.create({
      doc: text,
      extensions: [
        lineNumbers(),
        highlightActiveLineGutter(),
        highlightSpecialChars(),
        history(),
        drawSelection(),
        indentOnInput(),
        bracketMatching(),
        highlightActiveLine(),
        yaml(),
        syntaxHighlighting(yamlColours),
        lintGutter(),
        look,
        EditorView.lineWrapping,
        EditorState.tabSize.of(2),
        keymap.of([...defaultKeymap, ...historyKeymap, ...lintKeymap]),
        this.readOnly.of(EditorState.readOnly.of(false)),
        EditorView.cspNonce.of(nonce || ""),
        EditorView.contentAttributes.of({
          "aria-label": label || "File text",
          tabindex: "0", // focusable as axe-core counts it (a contenteditable alone is not), in the same place in the Tab order
          ...(describedBy ? { "aria-describedby": describedBy } : {}),
        }),
        EditorView.updateListener.of((update) => {
          if (update.docChanged && !this.silent) this.onChange(this.text());
        }),
      ],
    });
  }

  /** Replace the whole text (a file opened, a version saved): the undo history starts again. */
  load(text, label) {
    if (label) this.extensions.label = label;
    this.silent = true;
    this.view.setState(this.state(text));
    this.silent = false;
  }

  text() {
    return this.view.state.doc.toString();
  }

  setReadOnly(readOnly) {
    this.view.dispatch({ effects: this.readOnly.reconfigure(EditorState.readOnly.of(readOnly)) });
  }

  /** Problems (errors) and go-live marks (warnings) of this file, each on its line. */
  show(problems, marks) {
    const doc = this.view.state.doc;
    const at = (line) => doc.line(Math.min(Math.max(line || 1, 1), doc.lines));
    const diagnostics = [
      ...problems.map((p) => ({ line: at(p.line), severity: "error", message: p.text })),
      ...marks.map((m) => ({ line: at(m.line), severity: "warning", message: `Before go-live: ${m.message}` })),
    ].map(({ line, severity, message }) => ({ from: line.from, to: line.to, severity, message }));
    this.view.dispatch(setDiagnostics(this.view.state, diagnostics));
  }

  /** Put the cursor at the start of a line and move focus there. */
  goTo(lineNumber) {
    const doc = this.view.state.doc;
    const line = doc.line(Math.min(Math.max(lineNumber || 1, 1), doc.lines));
    this.view.dispatch({ selection: { anchor: line.from }, scrollIntoView: true });
    this.view.focus();
  }
}
