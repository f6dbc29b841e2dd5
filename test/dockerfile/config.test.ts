import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  evaluateDockerfile,
  parseDockerfile,
  parseDockerfileConfig,
} from "../../src/core/dockerfile/index.js";
import { isCustomsError } from "../../src/core/errors.js";

const ids = (text: string, config = parseDockerfileConfig({}, "c")) =>
  evaluateDockerfile(parseDockerfile(text, "D"), "D", { config }).map(
    (f) => `${f.location?.line} ${f.ruleId} ${f.severity}`,
  );

describe("inline ignores", () => {
  it("customs-ignore applies to the next instruction only, across blank lines and comments", () => {
    const text = [
      "FROM alpine:3.19",
      "# customs-ignore CD014,CD015 the old entry point is kept for v1 clients",
      "",
      "# another comment",
      "CMD run a",
      "CMD run b",
      "USER app",
    ].join("\n");
    expect(ids(text)).toEqual(["1 CD003 low", "6 CD014 low", "6 CD015 medium"]);
  });

  it("customs-ignore-file applies anywhere in the file, for every instruction", () => {
    const text =
      "FROM alpine:3.19\nCMD run a\n# customs-ignore-file cd003, CD014\nCMD run b\nUSER app\n";
    // `cd003, CD014`: the list ends at the blank, so CD014 is not part of it.
    expect(ids(text)).toEqual(["2 CD014 low", "4 CD014 low", "4 CD015 medium"]);
    const both = "# customs-ignore-file CD003,CD014\nFROM alpine:3.19\nCMD run a\nUSER app\n";
    expect(ids(both)).toEqual([]);
  });

  it("an ignore inside a continued instruction applies to the instruction after it", () => {
    const text = [
      "FROM alpine:3.19",
      "RUN apk add \\",
      "# customs-ignore CD012",
      "  curl",
      "RUN apk add jq",
      "USER app",
    ].join("\n");
    expect(ids(text)).toEqual(["1 CD003 low", "2 CD012 low"]);
  });

  it("an ignore for another rule changes nothing", () => {
    expect(ids("FROM alpine:3.19\n# customs-ignore CD001\nCMD x\nUSER app\n")).toEqual([
      "1 CD003 low",
      "3 CD014 low",
    ]);
  });
});

describe("configuration", () => {
  const yaml = (text: string) => parseDockerfileConfig(parse(text), ".customs/dockerfile.yaml");

  it("turns rules off and changes severities", () => {
    const config = yaml("rules:\n  CD003: off\n  CD014: high\n  CD005: false\nfailOn: medium\n");
    expect(config.failOn).toBe("medium");
    expect(ids("FROM alpine:3.19\nCMD x\n", config)).toEqual(["2 CD014 high"]);
  });

  it("an empty file is the default configuration", () => {
    expect(yaml("")).toEqual({ rules: new Map(), failOn: undefined });
  });

  it.each([
    ["unknown key", "rule:\n  CD001: off\n", "(document)"],
    ["unknown key", "rule:\n  CD001: off\n", "rule: unknown field `rule`; did you mean `rules`?"],
    [
      "unknown rule",
      "rules:\n  CD0001: off\n",
      "rules.CD0001: unknown field `CD0001`; did you mean `CD001`?",
    ],
    [
      "bad setting",
      "rules:\n  CD001: hihg\n",
      'rules.CD001: "hihg" is not one of `off`, `info`, `low`, `medium`, `high`, `critical`; did you mean `high`?',
    ],
    ["bad failOn", "failOn: 3\n", "failOn: expected a string, got a number (3)"],
    ["not an object", "- CD001\n", "(document): expected an object, got a list"],
    ["rules not an object", "rules: [CD001]\n", "rules: expected an object, got a list"],
  ])("refuses %s with its field path", (_name, text, message) => {
    let error: unknown;
    try {
      yaml(text);
    } catch (e) {
      error = e;
    }
    expect(isCustomsError(error) && error.code).toBe("DOCKERFILE_CONFIG_INVALID");
    if (message !== "(document)") {
      expect((error as Error).message).toContain(`.customs/dockerfile.yaml: ${message}`);
    }
  });
});
