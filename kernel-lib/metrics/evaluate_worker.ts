/**
 * Worker-thread entry for {@link evaluate}: loads RDKit.js once, then scores chunks of molecules on request.
 * Started by worker_pool.ts with tsx as a loader (`execArgv: ["--import", "tsx"]`).
 */
import { parentPort } from "node:worker_threads";
import { loadRDKit } from "../chem/rdkit";
import { scoreMolecule, unscorableScore, ScoreOptions } from "./score";
import { Molecule } from "../chem/molecule";

/** A request: score `molecules`, whose batch indices start at `start`; `problems[k]` marks unreadable inputs. */
export interface WorkerRequest {
  id: number;
  start: number;
  molecules: Molecule[];
  problems: (string | null)[];
  options: ScoreOptions;
}

if (parentPort) {
  const port = parentPort;
  const ready = loadRDKit();
  port.on("message", async (req: WorkerRequest) => {
    try {
      await ready;
      const rows = req.molecules.map((m, k) =>
        req.problems[k] ? unscorableScore(m, req.start + k, req.problems[k]!, req.options) : scoreMolecule(m, req.start + k, req.options),
      );
      port.postMessage({ id: req.id, rows });
    } catch (err) {
      port.postMessage({ id: req.id, error: (err as Error).stack ?? String(err) });
    }
  });
}
