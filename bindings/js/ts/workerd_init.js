// Instantiates the module once per isolate, on import, under the `workerd` export
// condition: the `.wasm` import is a `WebAssembly.Module` (wrangler's CompiledWasm rule).
// A JavaScript file, not TypeScript: wasm-bindgen's declarations for the `.wasm` name its
// raw exports, not the module this import gives.
import wasm from "./confirmation_flow_bg.wasm";
import { initSync } from "./init.js";

initSync({ module: wasm });
