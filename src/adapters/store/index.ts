export { MIGRATIONS, SCHEMA_VERSION } from "./migrations.js";
export { openSqliteHandle, type SqliteHandle } from "./sqlite-handle.js";
export { openStore, type StoreOptions } from "./store.js";
export { parseStoreUrl, redactUrl, type StoreLocation } from "./url.js";
