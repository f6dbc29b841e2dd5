export { MIGRATIONS, SCHEMA_VERSION } from "./migrations.js";
export { openStore, type StoreOptions } from "./store.js";
export { parseStoreUrl, redactUrl, type StoreLocation } from "./url.js";
