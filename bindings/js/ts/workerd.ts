// The package under the `workerd` export condition (Cloudflare Workers, wrangler, miniflare):
// the module is instantiated on import, from the `.wasm` beside it, which wrangler bundles
// as a compiled module. Nothing to initialise.
import "./workerd_init.js";

export * from "./index.js";
export { default } from "./index.js";
