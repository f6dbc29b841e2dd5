import { compilePattern, matchPattern } from "./pattern.js";
import type { RegexEngine } from "./regex.js";
import type { Authority, LabelRequirement, SupplyInput, TextMatch } from "./supply-types.js";

/** A compiled text test, and the text the policy wrote (for messages). */
export interface Matcher {
  readonly source: string;
  test(value: string): boolean;
}

export type CompiledAuthority =
  | { readonly name: string; readonly kind: "key" }
  | {
      readonly name: string;
      readonly kind: "keyless";
      readonly issuer: Matcher;
      readonly subject: Matcher;
    };

export interface CompiledLabel {
  readonly key: string;
  readonly value: Matcher | undefined;
}

/** A supply-chain input with every pattern compiled once (the hot path builds no regex). */
export interface CompiledSupply {
  readonly input: SupplyInput;
  readonly authorities: readonly CompiledAuthority[];
  readonly builders: readonly Matcher[];
  readonly sourceRepositories: readonly Matcher[];
  readonly labels: readonly CompiledLabel[];
  readonly annotations: readonly CompiledLabel[];
}

/** Fails closed: never matches, and says why in the policy's words. */
const never = (source: string): Matcher => ({
  source: `${source} (no RE2 engine)`,
  test: () => false,
});

export function compileMatch(m: TextMatch, regex: RegexEngine | undefined): Matcher {
  switch (m.kind) {
    case "exact":
      return { source: m.value, test: (v) => v === m.value };
    case "glob": {
      const p = compilePattern(m.value);
      return { source: m.value, test: (v) => matchPattern(p, v) };
    }
    case "regexp": {
      const c = regex?.compile(m.value);
      if (c === undefined || !c.ok) return never(m.value);
      return { source: `/${m.value}/`, test: (v) => c.regex.test(v) };
    }
  }
}

function compileAuthority(a: Authority, regex: RegexEngine | undefined): CompiledAuthority {
  if (a.kind === "key") return { name: a.name, kind: "key" };
  return {
    name: a.name,
    kind: "keyless",
    issuer: compileMatch(a.issuer, regex),
    subject: compileMatch(a.subject, regex),
  };
}

const label = (l: LabelRequirement, regex: RegexEngine | undefined): CompiledLabel => ({
  key: l.key,
  value: l.value === undefined ? undefined : compileMatch(l.value, regex),
});

export function compileSupply(input: SupplyInput, regex: RegexEngine | undefined): CompiledSupply {
  const none: never[] = [];
  const withAuthorities =
    input.recipe === "require-signature" || input.recipe === "require-provenance"
      ? input.authorities.map((a) => compileAuthority(a, regex))
      : none;
  return {
    input,
    authorities: withAuthorities,
    builders:
      input.recipe === "require-provenance"
        ? input.builders.map((m) => compileMatch(m, regex))
        : none,
    sourceRepositories:
      input.recipe === "require-provenance"
        ? input.sourceRepositories.map((m) => compileMatch(m, regex))
        : none,
    labels: input.recipe === "require-labels" ? input.labels.map((l) => label(l, regex)) : none,
    annotations:
      input.recipe === "require-labels" ? input.annotations.map((l) => label(l, regex)) : none,
  };
}
