/**
 * The one visual style of every molcache figure: fonts, colours (one per forecaster), line styles, margins, and
 * the layout/axis defaults the builders start from. Change the look of all figures here.
 */
import type { PlotlyLayout } from "./types";

/** Fonts, sizes and colours shared by all figures. */
export const THEME = {
  /** Font stack: the first one installed wins (Chromium on Debian has DejaVu Sans / Liberation Sans). */
  fontFamily: "Arial, 'Liberation Sans', 'DejaVu Sans', Helvetica, sans-serif",
  fontSize: 13,
  titleSize: 16,
  subtitleSize: 14,
  textColor: "#222222",
  gridColor: "#e6e6e6",
  axisLineColor: "#444444",
  background: "#ffffff",
  /** Margins in px; `t` leaves room for a title and subplot titles. */
  margin: { l: 70, r: 30, t: 80, b: 60 },
  /** Default export size in px (the builders also set it in the layout so notebooks show the same aspect). */
  width: 900,
  height: 520,
  /** Base run / reference line colour. */
  baseColor: "#222222",
  /** Sequential colour scale for "step" colouring (perceptually uniform). */
  stepColorscale: "Viridis",
  /** Colour scale for similarities (cosine, up to 1). */
  similarityColorscale: "Cividis",
} as const;

/**
 * Colours per forecaster family (colour-blind-safe Okabe–Ito palette). The base sampler is black; variants of a
 * family (m=1 / m=2, j=2 / j=3) get a light and a dark shade so they pair visually.
 */
export const FORECASTER_COLORS: Readonly<Record<string, string>> = {
  base: "#222222",
  "no cache": "#222222",
  reuse: "#999999",
  "taylor m=1": "#56b4e9",
  "taylor m=2": "#0072b2",
  "taylor m=3": "#00446e",
  "ab j=2": "#e69f00",
  "ab j=3": "#d55e00",
  "ab j=4": "#8c3b00",
};

/** Fallback palette for names not in {@link FORECASTER_COLORS} and for unnamed series (Okabe–Ito order). */
export const PALETTE: readonly string[] = [
  "#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#f0e442", "#000000",
];

/** Line dash styles in order, for runs that share a colour (Plotly `line.dash` values). */
export const DASHES: readonly string[] = ["solid", "dash", "dot", "dashdot", "longdash", "longdashdot"];

/** Normalise a forecaster name for colour lookup: lower case, single spaces, `"AB j = 2"` → `"ab j=2"`. */
function colorKey(name: string): string {
  return name.trim().toLowerCase().replace(/\s*=\s*/g, "=").replace(/\s+/g, " ");
}

/**
 * The colour of a forecaster (see {@link FORECASTER_COLORS}); a name that starts with a known one takes its colour
 * (`"Taylor m=1, D=3"` is Taylor m=1's), other names take `PALETTE[index]`.
 * @param name e.g. `"Taylor m=1"`, `"AB j=2"`, `"Base"`.
 * @param index position of the series, for the fallback (default 0).
 * @example
 * forecasterColor("Taylor m=2"); // "#0072b2"
 */
export function forecasterColor(name: string, index = 0): string {
  const key = colorKey(name);
  const exact = FORECASTER_COLORS[key];
  if (exact) return exact;
  // Longest known prefix followed by a separator, so "taylor m=1" does not claim "taylor m=12".
  const prefix = Object.keys(FORECASTER_COLORS)
    .filter((k) => key.startsWith(k) && /^[\s,;(:/-]/.test(key.slice(k.length)))
    .sort((a, b) => b.length - a.length)[0];
  if (prefix) return FORECASTER_COLORS[prefix];
  return PALETTE[((index % PALETTE.length) + PALETTE.length) % PALETTE.length];
}

/** A CSS `rgba()` of a `#rrggbb` colour with the given opacity (for bands and fills). */
export function withAlpha(hex: string, alpha: number): string {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (!m) throw new Error(`invalid colour: ${hex}; expected #rrggbb`);
  return `rgba(${parseInt(m[1], 16)}, ${parseInt(m[2], 16)}, ${parseInt(m[3], 16)}, ${alpha})`;
}

/** Axis defaults: a framed, lightly gridded axis with a title (Plotly axis object). */
export function axisStyle(title: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    title: { text: title, font: { size: THEME.fontSize + 1 } },
    showline: true,
    linecolor: THEME.axisLineColor,
    linewidth: 1,
    mirror: true,
    ticks: "outside",
    ticklen: 4,
    gridcolor: THEME.gridColor,
    zeroline: false,
    automargin: true,
    ...extra,
  };
}

/** Side padding a title keeps from the figure's edges, px. */
const TITLE_PAD = 12;
/** Line height of a wrapped title, in units of its font size. */
const TITLE_LINE_HEIGHT = 1.3;

/**
 * Upper bound of a character's advance width in em for the theme's fonts (DejaVu Sans, the widest of the stack,
 * bounds Arial and Liberation Sans): wide capitals, other capitals, digits and most symbols, lowercase, narrow.
 */
function charWidthEm(c: string): number {
  if ("MWmw@%".includes(c)) return 1.0;
  if (" .,:;'|!ilj()[]{}".includes(c)) return 0.42;
  if (/[A-Z#&=+<>~]/.test(c)) return 0.8;
  if (/[0-9]/.test(c)) return 0.64;
  if (/[a-z]/.test(c)) return 0.62;
  return 0.85; // anything else (Å, ±, …): assume wide
}

/** Estimated width in px of `text` at `fontSize` (tags ignored, an entity counts as one wide character). */
export function textWidthPx(text: string, fontSize: number): number {
  const visible = text.replace(/<[^>]*>/g, "").replace(/&[#\w]+;/g, "W");
  let em = 0;
  for (const c of visible) em += charWidthEm(c);
  return em * fontSize;
}

/**
 * Wrap a title into lines (Plotly `<br>`) that fit `width` px at `fontSize`: breaks after spaces, and inside a token
 * too long for a line (a SMILES string) between characters. Existing `<br>` breaks are kept.
 * @returns the wrapped text and its number of lines.
 * @example
 * fitTitle("Base (100 steps), molecule 0, valid: CC(C)C1=NC(=O)…", 640).lines; // 2
 */
export function fitTitle(title: string, width: number, fontSize: number = THEME.titleSize): { text: string; lines: number } {
  const room = Math.max(fontSize, width - 2 * TITLE_PAD);
  const lines: string[] = [];
  for (const paragraph of title.split(/<br\s*\/?>/i)) {
    let line = "";
    // Tokens: runs of non-spaces with their trailing space; a tag or entity is never split.
    for (const token of paragraph.match(/\S+\s*|\s+/g) ?? [""]) {
      if (textWidthPx(line + token.trimEnd(), fontSize) <= room) {
        line += token;
        continue;
      }
      if (line.trim()) lines.push(line.trimEnd());
      line = "";
      if (textWidthPx(token.trimEnd(), fontSize) <= room || /[<&]/.test(token)) {
        line = token;
        continue;
      }
      for (const c of token) {
        if (line && textWidthPx(line + c, fontSize) > room) {
          lines.push(line);
          line = "";
        }
        line += c;
      }
    }
    lines.push(line.trimEnd());
  }
  return { text: lines.join("<br>"), lines: lines.length };
}

/**
 * The title and top margin for a figure `width` px wide whose one-line title fits in `marginTop` px: the title wrapped
 * to fit (never clipped at the sides) and the margin grown by one line height per extra line, the title block kept
 * in the margin. A one-line title gives Plotly's default placement (centred in the margin).
 * @example
 * const { title, marginTop } = titleLayout(longTitle, 640, 60);
 */
export function titleLayout(text: string, width: number, marginTop: number): { title: Record<string, unknown>; marginTop: number } {
  const fitted = fitTitle(text, width);
  const title: Record<string, unknown> = { text: fitted.text, x: 0.5, xanchor: "center", font: { size: THEME.titleSize } };
  if (fitted.lines === 1) return { title, marginTop };
  // Pinned below the top edge (Plotly's automatic placement centres the first line, pushing the others down). Plotly
  // draws a top-anchored block of several lines about 14 px above its anchor, hence twice the pad. The margin keeps
  // what was below a one-line title (subplot titles) and gains the extra lines.
  const lineHeight = Math.ceil(TITLE_LINE_HEIGHT * THEME.titleSize);
  return {
    title: { ...title, yref: "container", y: 1, yanchor: "top", pad: { t: 2 * TITLE_PAD } },
    marginTop: marginTop + (fitted.lines - 1) * lineHeight,
  };
}

/**
 * The layout every figure starts from: title, fonts, white background, margins, legend and size. A title too long
 * for the width is wrapped onto several lines and the top margin grows to hold them ({@link titleLayout}).
 * @param title the figure title (plain text; units go in axis titles).
 * @param size width and height in px (default {@link THEME}).
 */
export function baseLayout(title: string, size: { width?: number; height?: number } = {}): PlotlyLayout {
  const fitted = titleLayout(title, size.width ?? THEME.width, THEME.margin.t);
  return {
    title: fitted.title,
    font: { family: THEME.fontFamily, size: THEME.fontSize, color: THEME.textColor },
    paper_bgcolor: THEME.background,
    plot_bgcolor: THEME.background,
    margin: { ...THEME.margin, t: fitted.marginTop },
    width: size.width ?? THEME.width,
    height: size.height ?? THEME.height,
    legend: { bgcolor: "rgba(255,255,255,0.8)", bordercolor: THEME.gridColor, borderwidth: 1 },
    hovermode: "closest",
  };
}
