/**
 * `report.html`: one self-contained page (no network, no neighbouring files needed to view it) with the Plotly.js
 * library inlined once, every figure live (zoom, hover, rotate), the summary table and the run's settings.
 */
import { escapeHtml, figureHtml, plotlyLoaderHtml } from "../viz/figure_html";
import type { ReportFigure } from "./figures";

/** What goes on the page. */
export interface ReportPage {
  /** Page heading. */
  title: string;
  /** Settings and facts as label → text (model, N, steps, seeds, backend, timings…). */
  facts: readonly (readonly [string, string])[];
  /** The summary table as an HTML `<table>` (from `formatTable(…, "html")`). */
  tableHtml: string;
  /** Notes under the table (plain text, one paragraph each). */
  notes: readonly string[];
  figures: readonly ReportFigure[];
  /** Files of the report folder (relative paths) to link at the end. */
  files: readonly string[];
}

const STYLE = `
body { font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; margin: 24px auto; max-width: 1560px; color: #222; padding: 0 16px; }
h1 { font-size: 1.6em; margin-bottom: 4px; } h2 { font-size: 1.25em; margin-top: 32px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
dl.facts { display: grid; grid-template-columns: max-content auto; gap: 2px 16px; font-size: 0.92em; }
dl.facts dt { font-weight: bold; } dl.facts dd { margin: 0; }
table { border-collapse: collapse; font-size: 0.85em; margin: 8px 0; }
th, td { border: 1px solid #ccc; padding: 3px 7px; text-align: right; white-space: nowrap; }
thead th { background: #f3f3f3; } tbody th { text-align: left; }
.table-wrap { overflow-x: auto; }
p.note, p.caption { font-size: 0.9em; color: #444; max-width: 1000px; }
figure { margin: 12px 0 24px 0; overflow-x: auto; } .molcache-plotly { max-width: none !important; } ul.files { font-size: 0.9em; columns: 2; }
`;

/**
 * The report page as one HTML document.
 * @example
 * folder.write("report.html", reportHtml({ title: "molcache report", facts, tableHtml, notes: [], figures, files }));
 */
export function reportHtml(page: ReportPage): string {
  const facts = page.facts.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`).join("\n");
  const figures = page.figures.map((f) => [
    `<section id="${f.name}">`,
    `<h2>${escapeHtml(f.title)}</h2>`,
    "<figure>",
    figureHtml(f.figure, { divId: `fig-${f.name.replace(/[^\w-]/g, "-")}` }),
    `<figcaption><p class="caption">${escapeHtml(f.caption)} Static copies: ` +
      `<a href="figures/${f.name}.png">PNG</a>, <a href="figures/${f.name}.svg">SVG</a>.</p></figcaption>`,
    "</figure>",
    "</section>",
  ].join("\n")).join("\n");
  const files = page.files.map((f) => `<li><a href="${escapeHtml(f)}">${escapeHtml(f)}</a></li>`).join("\n");
  return [
    "<!DOCTYPE html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(page.title)}</title>`,
    `<style>${STYLE}</style>`,
    plotlyLoaderHtml(),
    "</head>",
    "<body>",
    `<h1>${escapeHtml(page.title)}</h1>`,
    `<dl class="facts">\n${facts}\n</dl>`,
    '<section id="summary">',
    "<h2>Quality and speed (Table 1 layout)</h2>",
    `<div class="table-wrap">\n${page.tableHtml}</div>`,
    ...page.notes.map((n) => `<p class="note">${escapeHtml(n)}</p>`),
    "</section>",
    figures,
    '<section id="files">',
    "<h2>Files</h2>",
    `<ul class="files">\n${files}\n</ul>`,
    "</section>",
    "</body>",
    "</html>",
    "",
  ].join("\n");
}
