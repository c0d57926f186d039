/**
 * molcache: SemlaFlow 3D molecule generation in TensorFlow.js, predictive feature caching, trajectory analysis,
 * molecular metrics and figures. This file is the public API, grouped by section.
 */

// --- Environment: backend choice and seeded randomness ---
export { initBackend, backendName } from "./env";
export type { BackendName, BackendReport } from "./env";
export { Rng } from "./util/rng";
export type { RngState } from "./util/rng";
