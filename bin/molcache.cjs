#!/usr/bin/env node
// Entry point for `npx molcache`: runs the TypeScript CLI through tsx, so no build step is needed. tsx is resolved
// from this package (not from the caller's working directory), so the command works from any folder.
const path = require("node:path");
const { pathToFileURL } = require("node:url");
const { spawnSync } = require("node:child_process");
const main = path.join(__dirname, "..", "kernel-lib", "cli", "main.ts");
const tsx = pathToFileURL(require.resolve("tsx", { paths: [path.join(__dirname, "..")] })).href;
const result = spawnSync(process.execPath, ["--import", tsx, main, ...process.argv.slice(2)], { stdio: "inherit" });
process.exit(result.status === null ? 1 : result.status);
