// Entry of the parse sandbox's thread. A worker thread inherits neither tsx's loader (the
// server, scripts) nor vite's transforms (tests), so it registers tsx itself and loads the
// TypeScript worker through it.
import { tsImport } from 'tsx/esm/api';

await tsImport('./parse-worker.ts', import.meta.url);
