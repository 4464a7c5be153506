import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["**/*.test.ts"],
    exclude: ["node_modules/**", "dist/**", "**/fixtures/**"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Live tests start servers and namespaces; keep the 2-core machine from thrashing.
    fileParallelism: true,
    maxWorkers: 2,
  },
});
