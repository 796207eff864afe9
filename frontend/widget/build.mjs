// Builds the chat widget (frontend/widget/src) into one minified file served at /widget/v1.js.
// `make setup` runs it; the output (frontend/widget/dist/) is git-ignored.
import { build, transform } from "esbuild";
import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));

/** The stylesheet goes into the shadow root as a string: minified here, imported as text. */
const minifiedCss = {
  name: "minified-css",
  setup(builder) {
    builder.onLoad({ filter: /\.css$/ }, async (args) => {
      const source = await readFile(args.path, "utf8");
      const { code } = await transform(source, { loader: "css", minify: true });
      return { contents: code, loader: "text" };
    });
  },
};

await build({
  entryPoints: [join(here, "src", "main.js")],
  outfile: join(here, "dist", "v1.js"),
  bundle: true,
  minify: true,
  format: "iife",
  target: ["es2020", "chrome100", "firefox100", "safari16"],
  plugins: [minifiedCss],
  legalComments: "none",
  logLevel: "warning",
});
