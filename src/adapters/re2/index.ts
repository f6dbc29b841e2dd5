import { RE2JS } from "re2js";
import type { RegexCompilation, RegexEngine } from "../../core/policy/index.js";

/**
 * The policy language's regular expressions, run by RE2 (re2js: pure JavaScript, linear
 * time), so a user-supplied expression can never backtrack for long. `matches` tests the
 * whole value: `^…$` is implied, so `https://github.com/org/` cannot match a URL that merely
 * contains it.
 */
export const re2Engine: RegexEngine = {
  compile(pattern: string): RegexCompilation {
    try {
      const re = RE2JS.compile(pattern);
      return { ok: true, regex: { test: (value: string) => re.matches(value) } };
    } catch (e) {
      return { ok: false, message: e instanceof Error ? e.message : String(e) };
    }
  },
};
