#!/usr/bin/env node
// Entry point for `npx molcache`: runs the TypeScript CLI through tsx, so no build step is needed.
const path = require("node:path");
const { spawnSync } = require("node:child_process");
const main = path.join(__dirname, "..", "kernel-lib", "cli", "main.ts");
const result = spawnSync(process.execPath, ["--import", "tsx", main, ...process.argv.slice(2)], { stdio: "inherit" });
process.exit(result.status === null ? 1 : result.status);
