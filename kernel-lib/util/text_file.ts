/**
 * Reading a text input a user names on the command line (SDF, SMILES): plain or gzip-compressed text is read; other
 * archives and binary files fail with one line that says what the file is and what to do, instead of feeding raw
 * bytes to a text parser.
 */
import * as fs from "node:fs";
import * as zlib from "node:zlib";

/** Archive formats recognised by their first bytes, for the error message. */
const ARCHIVES: { name: string; magic: number[]; fix: string }[] = [
  { name: "a zip archive", magic: [0x50, 0x4b, 0x03, 0x04], fix: "unzip it first" },
  { name: "bzip2-compressed", magic: [0x42, 0x5a, 0x68], fix: "bunzip2 it first" },
  { name: "xz-compressed", magic: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], fix: "unxz it first" },
  { name: "zstd-compressed", magic: [0x28, 0xb5, 0x2f, 0xfd], fix: "unzstd it first" },
];

/**
 * The text of `file`, gunzipped when it is gzip-compressed (detected from its first bytes, not its name).
 * @param what what the file should hold, for messages (e.g. `"SDF"`, `"SMILES"`).
 * @throws for a missing file, another archive format, a truncated gzip file, or binary content (NUL bytes).
 * @example
 * const text = readTextInput("mols.sdf.gz", "SDF");
 */
export function readTextInput(file: string, what: string): string {
  if (!fs.existsSync(file)) throw new Error(`no such ${what} file: ${file}`);
  if (fs.statSync(file).isDirectory()) throw new Error(`${file} is a folder; give a ${what} file`);
  let bytes = fs.readFileSync(file);
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = zlib.gunzipSync(bytes);
    } catch (err) {
      throw new Error(`${file} looks gzip-compressed but does not decompress (${(err as Error).message}); is it truncated? (gzip: decompress it first to check)`);
    }
  }
  for (const a of ARCHIVES) {
    if (a.magic.every((b, i) => bytes[i] === b)) throw new Error(`${file} is ${a.name}, not ${what} text; ${a.fix}`);
  }
  if (bytes.subarray(0, 1 << 16).includes(0)) throw new Error(`${file} is a binary file, not ${what} text`);
  return bytes.toString("utf8");
}
