import { useEffect, useId } from "react";
import { useSession } from "../../components/context.js";
import { useLoad } from "../../components/hooks.js";
import { FieldError } from "../../components/ui.js";
import { extensibleParents, extensionScopes, mergedAllowlist } from "../../lib/extensions.js";
import type { PolicyDocument } from "../../lib/resources.js";
import { isAllowlist, type WizardState } from "../../lib/wizard.js";

interface Props {
  readonly state: WizardState;
  readonly set: (patch: Partial<WizardState>) => void;
  readonly errorFor: (path: string) => string | undefined;
  /** The document the form stands for, for the merged allowlist. */
  readonly document: Record<string, unknown>;
}

/**
 * A policy of its own, or an extension of an extensible allowlist (docs/policy-language.md,
 * "Widening an allowlist"): the extension takes the parent's template and action, and adds
 * its rules to the parent's in its own namespaces. The merged allowlist is shown as it will
 * be decided there; other policies still apply.
 */
export function ExtendsSection({ state, set, errorFor, document }: Props) {
  const { api } = useSession();
  const id = useId();
  const loaded = useLoad(() => api.policies(), [api]);
  const policies: readonly PolicyDocument[] = loaded.data ?? [];
  const parents = extensibleParents(policies.filter((p) => p.metadata.name !== state.name));
  const chosen = parents.find((p) => p.name === state.extends);
  const parentDoc = policies.find((p) => p.metadata.name === state.extends);
  // An edited extension has no recipe of its own: show the rules editor of its parent's.
  useEffect(() => {
    if (chosen !== undefined && chosen.recipe !== state.recipe) set({ recipe: chosen.recipe });
  }, [chosen, state.recipe, set]);
  const choose = (name: string) => {
    if (name === "") {
      set({ extends: undefined });
      return;
    }
    const parent = parents.find((p) => p.name === name);
    // The extension's scope must be narrower than the parent's: a workspace admin's default
    // (its workspace) is, for an organization allowlist; otherwise start at a namespace.
    const allowed: readonly string[] = parent === undefined ? [] : extensionScopes(parent);
    const scope =
      parent !== undefined && !allowed.includes(state.scope.kind)
        ? ({ kind: "namespace", cluster: "", namespace: "" } as const)
        : state.scope;
    set({ extends: name, recipe: parent?.recipe ?? state.recipe, extensible: undefined, scope });
  };
  const merged = state.extends ? mergedAllowlist(parentDoc, document) : [];
  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Extends</h2>
      <div className="field">
        <label htmlFor={id}>Add to an organization or workspace allowlist</label>
        <select
          id={id}
          value={state.extends ?? ""}
          aria-describedby={`${id}-help`}
          onChange={(e) => choose(e.target.value)}
        >
          <option value="">No: a policy of its own</option>
          {parents.map((p) => (
            <option key={p.name} value={p.name}>
              {p.name} ({p.scope}, {p.recipe})
            </option>
          ))}
          {state.extends && chosen === undefined ? (
            <option value={state.extends}>{state.extends}</option>
          ) : null}
        </select>
        <p id={`${id}-help`} className="hint">
          An extension adds its rules to an extensible allowlist in its own namespaces, without
          repeating it. It takes the allowlist's template and action; blocklists and every other
          policy still apply.
        </p>
        <FieldError id={`${id}-error`} message={errorFor("spec.extends")} />
      </div>
      {!state.extends && isAllowlist(state.recipe) ? (
        <label className="checkbox">
          <input
            type="checkbox"
            checked={state.extensible === true}
            onChange={(e) => set({ extensible: e.target.checked ? true : undefined })}
          />
          Extensible: workspaces and namespaces may add their own rules to this allowlist
        </label>
      ) : null}
      {merged.length > 0 ? (
        <div className="field">
          <h3>Allowed in this policy's namespaces</h3>
          <ol className="merged-allowlist">
            {merged.map((m) => (
              <li key={`${m.policy}:${m.index}`}>
                {m.rule}{" "}
                <span className="muted">
                  (rule {m.index} of {m.policy})
                </span>
              </li>
            ))}
          </ol>
        </div>
      ) : null}
    </section>
  );
}
