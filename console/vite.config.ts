import { defineConfig } from "vite";

// The console is served by the control plane at `/` (and may sit behind a path prefix), so
// every asset is referenced relatively and everything is bundled: no CDN, no web fonts.
export default defineConfig({
  root: import.meta.dirname,
  base: "./",
  oxc: { jsx: { runtime: "automatic", importSource: "react" } },
  build: {
    outDir: "../dist/console",
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 1024,
  },
  server: { host: "127.0.0.1" },
});
