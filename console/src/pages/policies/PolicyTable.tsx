import { withExtensionsUnderParents } from "../../lib/extensions.js";
import { toPolicyScope, toScopeLabel } from "../../lib/policy-tree.js";
import type { PolicyDocument } from "../../lib/resources.js";
import { toHash } from "../../lib/route.js";
import { readSelector, toSelectorText } from "../../lib/selector-match.js";
import { templateOf } from "../../lib/wizard.js";

/** Policies with template, action and rules; Edit and Delete where the caller may change one. */
export function PolicyTable(props: {
  items: readonly PolicyDocument[];
  caption: string;
  showScope: boolean;
  canChange: (p: PolicyDocument) => boolean;
  onDelete: (p: PolicyDocument) => void;
}) {
  const writable = props.items.some(props.canChange);
  return (
    <table>
      <caption className="sr-only">{props.caption}</caption>
      <thead>
        <tr>
          <th scope="col">Name</th>
          {props.showScope ? <th scope="col">Assigned at</th> : null}
          <th scope="col">Namespace selector</th>
          <th scope="col">Template</th>
          <th scope="col">Action</th>
          <th scope="col">Rules</th>
          {writable ? (
            <th scope="col">
              <span className="sr-only">Actions</span>
            </th>
          ) : null}
        </tr>
      </thead>
      <tbody>
        {withExtensionsUnderParents(props.items).map(({ policy: p, parent }) => (
          <Row
            key={p.metadata.name}
            policy={p}
            parent={parent}
            showScope={props.showScope}
            column={writable}
            writable={props.canChange(p)}
            onDelete={props.onDelete}
          />
        ))}
      </tbody>
    </table>
  );
}

function Row(props: {
  policy: PolicyDocument;
  /** The allowlist this policy extends (spec.extends), if it is an extension. */
  parent: string | undefined;
  showScope: boolean;
  /** The table has an actions column (some row may be changed). */
  column: boolean;
  writable: boolean;
  onDelete: (p: PolicyDocument) => void;
}) {
  const p = props.policy;
  const recipe = String(p.spec.recipe ?? "");
  const input = (p.spec.input ?? {}) as { rules?: unknown[]; audit?: boolean };
  const action = String(p.spec.action ?? (input.audit === true ? "audit" : "deny"));
  const name = p.metadata.name;
  const parent = props.parent;
  const selector = toSelectorText(readSelector(p.spec.namespaceSelector));
  return (
    <tr className={parent === undefined ? undefined : "extension-row"}>
      <td>
        {parent === undefined ? null : <span aria-hidden="true">↳ </span>}
        <a href={toHash({ page: "policy-edit", name })}>{name}</a>
        {parent === undefined ? null : <span className="muted"> extends {parent}</span>}
        {p.spec.extensible === true ? <span className="pill">extensible</span> : null}
      </td>
      {props.showScope ? <td>{toScopeLabel(toPolicyScope(p.spec))}</td> : null}
      <td className="mono" data-selector={name}>
        {selector === "" ? <span className="muted">every namespace</span> : selector}
      </td>
      <td>
        {parent !== undefined && recipe === "" ? (
          <span className="muted">that of {parent}</span>
        ) : (
          <>
            {templateOf(recipe)?.label ?? recipe} <span className="muted mono">({recipe})</span>
          </>
        )}
      </td>
      <td>
        {parent === undefined ? (
          <span className={`pill action-${action}`}>{action}</span>
        ) : (
          <span className="muted">that of {parent}</span>
        )}
      </td>
      <td>{Array.isArray(input.rules) ? input.rules.length : "–"}</td>
      {props.column && !props.writable ? <td /> : null}
      {props.column && props.writable ? (
        <td className="row-actions">
          <a
            className="button small"
            href={toHash({ page: "policy-edit", name })}
            aria-label={`Edit ${name}`}
          >
            Edit
          </a>
          <button
            type="button"
            className="small danger"
            aria-label={`Delete ${name}`}
            onClick={() => props.onDelete(p)}
          >
            Delete
          </button>
        </td>
      ) : null}
    </tr>
  );
}
