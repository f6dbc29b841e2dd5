// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Dockerfiles use ${VAR} substitution
import { describe, expect, it } from "vitest";
import {
  type BasePolicy,
  evaluateDockerfile,
  parseDockerfile,
  parseDockerfileConfig,
  type StageSelection,
} from "../../src/core/dockerfile/index.js";
import { CustomsError } from "../../src/core/errors.js";
import { createEvaluator, toNamespaceFacts } from "../../src/core/evaluate/index.js";
import { compileDocs, policyDoc } from "../support/policies.js";

/** Only images from registry.corp.example may run: every public image is refused. */
const CORP_ONLY: BasePolicy = {
  evaluator: createEvaluator(
    compileDocs(
      policyDoc("corp-only", {
        recipe: "custom",
        input: { rules: [{ hostname: "registry.corp.example" }] },
      }),
    ),
  ),
  namespace: toNamespaceFacts("default"),
};

/** The lines of the CD004 findings. */
function judged(text: string, options: { stages?: StageSelection; target?: string } = {}) {
  return evaluateDockerfile(parseDockerfile(text, "Dockerfile"), "Dockerfile", {
    policy: CORP_ONLY,
    ...options,
  })
    .filter((f) => f.ruleId === "CD004")
    .map((f) => f.location?.line);
}

const CASES: { name: string; text: string; final: number[]; all: number[] }[] = [
  {
    name: "golang builder, distroless final: only the final base is judged",
    text: [
      "FROM golang:1.22 AS build",
      "RUN go build -o /app .",
      "FROM gcr.io/distroless/static:nonroot",
      "COPY --from=build /app /app",
    ].join("\n"),
    final: [3],
    all: [1, 3],
  },
  {
    name: "an allowed final base: the refused builder is not a finding by default",
    text: [
      "FROM python:3.12 AS build",
      "FROM registry.corp.example/base/python:3.12-slim",
      "COPY --from=build /w /w",
    ].join("\n"),
    final: [],
    all: [1],
  },
  {
    name: "final FROM scratch: no image to judge",
    text: ["FROM golang:1.22 AS build", "FROM scratch", "COPY --from=build /app /app"].join("\n"),
    final: [],
    all: [1],
  },
  {
    name: "final FROM an earlier stage: the chain is followed to its root image",
    text: [
      "FROM alpine:3.19 AS base",
      "FROM golang:1.22 AS build",
      "FROM base AS runtime",
      "FROM runtime",
    ].join("\n"),
    final: [1],
    all: [1, 2],
  },
  {
    name: "a chain that ends at scratch judges nothing",
    text: ["FROM scratch AS empty", "FROM golang:1.22 AS build", "FROM empty"].join("\n"),
    final: [],
    all: [2],
  },
  {
    name: "ARG-substituted FROM is judged by its value",
    text: [
      "ARG GO=1.22",
      "ARG RUNTIME=docker.io/library/alpine:3.19",
      "FROM golang:${GO} AS build",
      "FROM ${RUNTIME}",
    ].join("\n"),
    final: [4],
    all: [3, 4],
  },
  {
    name: "--platform does not change which stage is judged",
    text: [
      "FROM --platform=$BUILDPLATFORM golang:1.22 AS build",
      "FROM --platform=linux/amd64 alpine:3.19",
    ].join("\n"),
    final: [2],
    all: [1, 2],
  },
  {
    name: "a single stage is the final stage",
    text: "FROM alpine:3.19\n",
    final: [1],
    all: [1],
  },
];

describe("CD004: which stages' base images are judged", () => {
  it.each(CASES)("$name", ({ text, final, all }) => {
    expect(judged(text)).toEqual(final);
    expect(judged(text, { stages: "final" })).toEqual(final);
    expect(judged(text, { stages: "all" })).toEqual(all);
  });

  it("--target judges the stage built, followed through FROM <stage>", () => {
    const text = [
      "FROM alpine:3.19 AS base",
      "FROM golang:1.22 AS build",
      "FROM base AS dev",
      "FROM registry.corp.example/base/alpine:3.19",
    ].join("\n");
    expect(judged(text)).toEqual([]);
    expect(judged(text, { target: "build" })).toEqual([2]);
    expect(judged(text, { target: "DEV" })).toEqual([1]);
  });

  it("a target that names no stage is a usage error, as in docker build", () => {
    const run = () => judged("FROM alpine:3.19 AS app\n", { target: "missing" });
    expect(run).toThrow(CustomsError);
    expect(run).toThrow(/no stage named "?missing"?/);
  });

  it("the configuration's stages is the default; the option wins", () => {
    const text = "FROM golang:1.22 AS build\nFROM alpine:3.19\n";
    const config = parseDockerfileConfig({ stages: "all" }, "dockerfile.yaml");
    const lines = (stages?: StageSelection) =>
      evaluateDockerfile(parseDockerfile(text, "D"), "D", {
        policy: CORP_ONLY,
        config,
        ...(stages === undefined ? {} : { stages }),
      })
        .filter((f) => f.ruleId === "CD004")
        .map((f) => f.location?.line);
    expect(config.stages).toBe("all");
    expect(lines()).toEqual([1, 2]);
    expect(lines("final")).toEqual([2]);
  });

  it("the configuration refuses an unknown stages value, naming the field", () => {
    expect(() => parseDockerfileConfig({ stages: "some" }, "dockerfile.yaml")).toThrow(
      /dockerfile\.yaml: stages: /,
    );
  });
});
