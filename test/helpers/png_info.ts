/**
 * Just enough PNG decoding to check exported figures: the size from the header, and pixel statistics (distinct
 * colours, share of non-white pixels) from the inflated image data, for 8-bit RGB/RGBA/grey images as Chromium
 * writes them.
 */
import { inflateSync } from "node:zlib";

/** Header facts of a PNG. */
export interface PngHeader {
  width: number;
  height: number;
  bitDepth: number;
  /** 0 grey, 2 RGB, 3 palette, 4 grey+alpha, 6 RGBA. */
  colorType: number;
}

/** What {@link pngPixelStats} measures. */
export interface PngPixelStats extends PngHeader {
  /** Number of distinct RGBA colours (counting stops at 65,536). */
  distinctColors: number;
  /** Share of pixels that are not (near) white and not transparent, in [0, 1]. */
  inkFraction: number;
}

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function readU32(b: Uint8Array, at: number): number {
  return ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;
}

/** The chunks of a PNG as `[type, data]`, after checking the signature. */
function chunks(png: Uint8Array): [string, Uint8Array][] {
  if (png.length < 33 || SIGNATURE.some((v, i) => png[i] !== v)) throw new Error("not a PNG: the 8-byte signature is missing");
  const out: [string, Uint8Array][] = [];
  let at = 8;
  while (at + 8 <= png.length) {
    const len = readU32(png, at);
    const type = String.fromCharCode(png[at + 4], png[at + 5], png[at + 6], png[at + 7]);
    if (at + 12 + len > png.length) throw new Error(`truncated PNG: chunk ${type} runs past the end`);
    out.push([type, png.subarray(at + 8, at + 8 + len)]);
    at += 12 + len;
    if (type === "IEND") break;
  }
  return out;
}

/**
 * Width, height, bit depth and colour type from the IHDR chunk.
 * @example
 * pngHeader(await exporter.toPng(fig, { width: 640, height: 480 })); // { width: 640, height: 480, … }
 */
export function pngHeader(png: Uint8Array): PngHeader {
  const all = chunks(png);
  if (all[0]?.[0] !== "IHDR") throw new Error("invalid PNG: the first chunk is not IHDR");
  const h = all[0][1];
  return { width: readU32(h, 0), height: readU32(h, 4), bitDepth: h[8], colorType: h[9] };
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/**
 * Decode the pixels and measure how much is drawn (a blank render has one colour and no ink).
 * @throws for bit depths other than 8 and for palette images.
 */
export function pngPixelStats(png: Uint8Array): PngPixelStats {
  const header = pngHeader(png);
  const channels = ({ 0: 1, 2: 3, 4: 2, 6: 4 } as Record<number, number>)[header.colorType];
  if (header.bitDepth !== 8 || channels === undefined) {
    throw new Error(`unsupported PNG: bit depth ${header.bitDepth}, colour type ${header.colorType}; only 8-bit grey/RGB/RGBA`);
  }
  const idat = chunks(png).filter(([t]) => t === "IDAT").map(([, d]) => d);
  const raw = inflateSync(Buffer.concat(idat));
  const stride = header.width * channels;
  if (raw.length < header.height * (stride + 1)) throw new Error("invalid PNG: image data shorter than the header says");
  const px = new Uint8Array(header.height * stride);
  for (let y = 0; y < header.height; y++) {
    const filter = raw[y * (stride + 1)];
    const src = y * (stride + 1) + 1;
    const row = y * stride;
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? px[row + x - channels] : 0;
      const b = y > 0 ? px[row - stride + x] : 0;
      const c = x >= channels && y > 0 ? px[row - stride + x - channels] : 0;
      const v = raw[src + x];
      const pred = filter === 0 ? 0 : filter === 1 ? a : filter === 2 ? b : filter === 3 ? (a + b) >> 1 : filter === 4 ? paeth(a, b, c) : -1;
      if (pred < 0) throw new Error(`invalid PNG: unknown filter ${filter} on row ${y}`);
      px[row + x] = (v + pred) & 0xff;
    }
  }
  const colors = new Set<number>();
  let ink = 0;
  const n = header.width * header.height;
  for (let i = 0; i < n; i++) {
    const o = i * channels;
    const grey = channels <= 2;
    const r = px[o];
    const g = grey ? r : px[o + 1];
    const bl = grey ? r : px[o + 2];
    const alpha = channels === 4 ? px[o + 3] : channels === 2 ? px[o + 1] : 255;
    if (colors.size < 65536) colors.add(((r << 24) | (g << 16) | (bl << 8) | alpha) >>> 0);
    if (alpha > 16 && (r < 235 || g < 235 || bl < 235)) ink++;
  }
  return { ...header, distinctColors: colors.size, inkFraction: ink / n };
}
