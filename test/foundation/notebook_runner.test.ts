import { describe, it } from "node:test";
import * as assert from "node:assert/strict";
import * as path from "node:path";
import { executeNotebook, notebookText } from "../helpers/notebook";
import { REPO_ROOT } from "../helpers/paths";

describe("notebook runner", () => {
  it("fails, naming the error, when a cell throws", () => {
    assert.throws(
      () => executeNotebook(path.join(REPO_ROOT, "test", "fixtures", "broken.ipynb"), { timeoutSeconds: 240 }),
      /notebook broken.ipynb failed[\s\S]*deliberate failure in a fixture notebook/,
    );
  });

  it("runs the environment notebook: backend, an inline Plotly figure and a danfo.js table", () => {
    const nb = executeNotebook(path.join(REPO_ROOT, "notebooks", "00_environment.ipynb"), { timeoutSeconds: 300 });
    assert.match(notebookText(nb), /molcache backend: wasm/);
    const mimes = new Set(nb.cells.flatMap((c) => c.outputs ?? []).flatMap((o) => Object.keys(o.data ?? {})));
    assert.ok(mimes.has("application/vnd.plotly.v1+json"), `plotly output missing; got ${[...mimes].join(", ")}`);
    assert.ok(mimes.has("text/html"), "html output missing");
  });
});
