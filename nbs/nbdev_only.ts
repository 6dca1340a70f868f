// Quarto runs this before it renders the book (_quarto.yml: project: pre-render). The book is rendered from nbdev's
// processed copies of the notebooks (_proc/: `bash scripts/docs.sh`, `nbdev_docs`, `nbdev_preview`), from which
// nbdev has removed its own `#| export`-style comments. Quarto rendering nbs/ itself would read those comments as
// cell options it cannot parse: each cell's fenced div breaks and its `:::` shows on the page, with a warning each.
const raw = [...Deno.readDirSync(".")].filter((f) => f.name.endsWith(".ipynb")).find((f) =>
  /"#\|\s*(export|exporti|hide|default_exp)\b[^:"]*\\n"/.test(Deno.readTextFileSync(f.name))
);
if (raw) {
  console.error(`this folder holds nbdev's own notebooks (${raw.name} has nbdev's #| comments), which Quarto ` +
    "cannot read as they are: render the book with `bash scripts/docs.sh` (or nbdev_docs, nbdev_preview)");
  Deno.exit(1);
}
