#!/usr/bin/env node
// The molcache Jupyter kernel: tslab started from the repository root, so notebooks can import "./kernel-lib"
// (tslab compiles cells with rootDir = its working directory, and Jupyter would start it in notebooks/).
const path = require("node:path");
const root = path.resolve(__dirname, "..");
const args = process.argv.slice(2).map((a) => (a.endsWith(".json") ? path.resolve(a) : a));
process.chdir(root);
process.argv = [process.argv[0], path.join(root, "node_modules", "tslab", "bin", "tslab"), "kernel", "--config-path", ...args];
require(path.join(root, "node_modules", "tslab", "dist", "main.js")).main();
