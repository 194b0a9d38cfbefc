// The package: the module's decisions (`confirmation_flow.js`, from wasm-bindgen), and the
// loop carried out once: `handle` on a `Store`, `d1Store` for D1, `memoryStore` for tests.
export * from "./confirmation_flow.js";
// These two shadow the glue's: the same functions, which also let `handle` say when the
// module was not instantiated.
export { default, initSync } from "./init.js";
export { checkOptions } from "./check.js";
export { d1Store } from "./d1.js";
export type { D1Like, D1StatementLike, D1Store, D1StoreOptions, Pruned } from "./d1.js";
export { handle } from "./handle.js";
export { memoryStore } from "./memory.js";
export type { AppClient, Base64Key, Delivery, HandleOptions, PublicOperation } from "./options.js";
export type { Budget, Store, StoredLookup } from "./store.js";
