// Builds the content page into bot/admin/static/ (committed, so `make run` needs only Python):
// app.js and app.css (the page), teams.js (the Teams library, loaded only inside Teams), index.html.
// `make admin-ui` runs it after `npm ci`; the same package versions always give the same files.
import { copyFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const out = process.argv[2] || join(here, "..", "bot", "admin", "static");
mkdirSync(out, { recursive: true });

const common = {
  bundle: true,
  minify: true,
  format: "iife",
  target: ["chrome111", "edge111", "firefox111", "safari16"],
  legalComments: "eof", // the packages' licence notices stay with their code,
  logLevel: "warning",
  charset: "utf8",
};

await build({ ...common, entryPoints: [join(here, "src", "main.js")], outfile: join(out, "app.js") });
await build({ ...common, entryPoints: [join(here, "src", "teams.js")], outfile: join(out, "teams.js") });
await build({ ...common, entryPoints: [join(here, "src", "styles.css")], outfile: join(out, "app.css") });
copyFileSync(join(here, "src", "index.html"), join(out, "index.html"));
