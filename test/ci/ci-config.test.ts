import { describe, expect, it } from "vitest";
import { validateCiConfig } from "../../src/core/ci/index.js";

const doc = (checks: Record<string, unknown>) => ({
  apiVersion: "customs.dev/v1alpha1",
  kind: "CIConfig",
  checks,
});

describe("customs.yaml: exclude and stages", () => {
  it("reads each file-walking check's exclude list and the Dockerfile check's stages", () => {
    const result = validateCiConfig(
      doc({
        manifests: { policies: ["p"], paths: ["k8s"], exclude: ["charts/"] },
        dockerfile: { exclude: ["**/vendor/"], stages: "all" },
        secrets: { paths: ["src"], exclude: ["*.snap"] },
      }),
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.config.manifests?.exclude).toEqual(["charts/"]);
    expect(result.config.dockerfile).toMatchObject({ exclude: ["**/vendor/"], stages: "all" });
    expect(result.config.secrets?.exclude).toEqual(["*.snap"]);
  });

  it("exclude defaults to nothing; stages to the lint configuration's", () => {
    const result = validateCiConfig(doc({ dockerfile: {} }));
    expect(result.ok && result.config.dockerfile).toEqual({
      paths: ["."],
      exclude: [],
      policies: [],
    });
  });

  it.each([
    [
      { manifests: { policies: ["p"], paths: ["k8s"], exclude: "charts/" } },
      "checks.manifests.exclude",
    ],
    [{ dockerfile: { exclude: [""] } }, "checks.dockerfile.exclude[0]"],
    [{ dockerfile: { stages: "builders" } }, "checks.dockerfile.stages"],
    [{ secrets: { exclude: [3] } }, "checks.secrets.exclude[0]"],
  ])("%j is refused at its field path", (checks, path) => {
    const result = validateCiConfig(doc(checks));
    expect(result.ok).toBe(false);
    expect(result.issues.map((i) => i.path)).toContain(path);
  });
});
