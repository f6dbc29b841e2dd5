import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  parseJsonBody,
  parseNamedBody,
  parseTokenBody,
  preconditionOf,
} from "../../src/app/fleet/bodies.js";
import { ApiError } from "../../src/core/fleet/api-error.js";
import { toCursor, toPageRequest } from "../../src/server/control-plane/paging.js";
import { Router } from "../../src/server/control-plane/router.js";
import { allRoutes } from "../../src/server/control-plane/routes.js";

/** Runs `f`; an ApiError is a refusal (its code), anything else thrown fails the test. */
function outcome(f: () => unknown): string {
  try {
    f();
    return "ok";
  } catch (e) {
    if (e instanceof ApiError) return e.code;
    throw e;
  }
}

describe("request parsers refuse with ApiError, never crash (property)", () => {
  it("JSON bodies", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json()), (text) => {
        const r = outcome(() => parseJsonBody(text));
        expect(["ok", "API_BAD_REQUEST"]).toContain(r);
      }),
    );
  });

  it("named bodies and token bodies", () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.constantFrom("metadata", "spec", "kind", "x"), fc.jsonValue()),
        (body) => {
          expect(["ok", "API_INVALID"]).toContain(outcome(() => parseNamedBody(body)));
          expect(["ok", "API_INVALID"]).toContain(outcome(() => parseTokenBody(body)));
        },
      ),
    );
  });

  it("page requests; cursors round-trip any key", () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (limit, token) => {
        const q = new URLSearchParams({ limit, continue: token });
        expect(["ok", "API_INVALID", "API_BAD_REQUEST"]).toContain(outcome(() => toPageRequest(q)));
      }),
    );
    fc.assert(
      fc.property(fc.string(), fc.integer({ min: 1, max: 500 }), (key, limit) => {
        const q = new URLSearchParams({ limit: String(limit), continue: toCursor(key) });
        expect(toPageRequest(q)).toEqual({ limit, after: key });
      }),
    );
  });

  it.each([
    ['"7"', undefined, "7"],
    ['W/"7"', undefined, "7"],
    [undefined, "8", "8"],
    ['"9"', "8", "9"],
  ])("precondition If-Match %s, body %s → %s", (ifMatch, body, expected) => {
    expect(preconditionOf(ifMatch, body).resourceVersion).toBe(expected);
  });

  it("no precondition is 428", () => {
    expect(outcome(() => preconditionOf(undefined, undefined))).toBe("API_PRECONDITION_REQUIRED");
    expect(outcome(() => preconditionOf('""', undefined))).toBe("API_PRECONDITION_REQUIRED");
  });
});

describe("router", () => {
  const router = new Router(allRoutes);
  const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?$/);

  it("every route's template, filled with names, matches that route with those names (property)", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...allRoutes),
        fc.array(label, { minLength: 4, maxLength: 4 }),
        (route, names) => {
          let i = 0;
          const params: Record<string, string> = {};
          const path = route.path.replace(/\{([a-z]+)\}/g, (_, name: string) => {
            params[name] = names[i++] ?? "x";
            return encodeURIComponent(params[name] ?? "");
          });
          const m = router.match(route.method, path);
          expect(m).not.toBe("method");
          if (m === undefined || m === "method") throw new Error(`no match for ${path}`);
          // Fixed segments win where a name equals one (policies/preview).
          if (m.route !== route) expect(Object.values(params)).toContain("preview");
          else expect(m.params).toEqual(params);
        },
      ),
    );
  });

  it("arbitrary paths never throw; encoded slashes never make a parameter", () => {
    fc.assert(
      fc.property(fc.constantFrom("GET", "POST", "PUT", "DELETE"), fc.string(), (method, tail) => {
        const m = router.match(method, `/api/v1/organizations/${tail}`);
        if (m !== undefined && m !== "method") {
          for (const v of Object.values(m.params)) expect(v.includes("/")).toBe(false);
        }
      }),
    );
    expect(router.match("GET", "/api/v1/organizations/a%2Fb")).toBeUndefined();
    expect(router.match("GET", "/api/v1/organizations/%E0%A4%A")).toBeUndefined();
    expect(router.match("PATCH", "/api/v1/organizations")).toBe("method");
  });
});
