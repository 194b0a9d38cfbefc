// The module's instantiation, as wasm-bindgen's glue does it, remembering that it was done:
// `handle` tells a caller who forgot it what to call, instead of failing inside the glue
// (`Cannot read properties of undefined`).
import instantiate, {
  type InitInput,
  type InitOutput,
  initSync as instantiateSync,
  type SyncInitInput,
} from "./confirmation_flow.js";

let instantiated = false;

/**
 * Instantiates the module from its bytes or a compiled `WebAssembly.Module`, at once. In
 * Node: `initSync({ module: readFileSync(new URL(import.meta.resolve(
 * "confirmation-flow/confirmation_flow_bg.wasm"))) })`. Under the `workerd` export
 * condition the package has done it already.
 */
export function initSync(module: { module: SyncInitInput } | SyncInitInput): InitOutput {
  const output = instantiateSync(module);
  instantiated = true;
  return output;
}

/** Instantiates the module from its bytes, a `Response`, a URL to fetch, or a compiled module. */
export default async function init(
  module_or_path?: { module_or_path: InitInput | Promise<InitInput> } | InitInput | Promise<InitInput>,
): Promise<InitOutput> {
  const output = await instantiate(module_or_path);
  instantiated = true;
  return output;
}

/**
 * Throws when the module was not instantiated through this package's `initSync` or `init`.
 *
 * # Errors
 * An `Error` saying what to call.
 */
export function mustBeInstantiated(): void {
  if (!instantiated) {
    throw new Error(
      "the WebAssembly module is not instantiated: call initSync({ module }) or await init(...) " +
        "from \"confirmation-flow\" first (under the workerd export condition, as in wrangler, it is done on import)",
    );
  }
}
