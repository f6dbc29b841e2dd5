import { describe, expect, it } from "vitest";
import { createStyle } from "../src/cli/output/style.js";

const stream = (isTTY: boolean) => ({ isTTY }) as unknown as NodeJS.WriteStream;

describe("colour only on a terminal", () => {
  it.each([
    ["a terminal", true, {}, true],
    ["a pipe", false, {}, false],
    ["a terminal with NO_COLOR", true, { NO_COLOR: "1" }, false],
    ["a dumb terminal", true, { TERM: "dumb" }, false],
  ])("%s", (_name, isTTY, env, coloured) => {
    const red = createStyle(stream(isTTY), env).red("deny");
    expect(red.includes("\u001b[31m")).toBe(coloured);
    expect(red.replace(/\u001b\[\d+m/g, "")).toBe("deny");
  });
});
