// `confirmation-flow/scenarios` under the `workerd` export condition: the module
// instantiated on import, as the package's own entry does there.
import "./workerd_init.js";

export * from "./scenarios.js";
