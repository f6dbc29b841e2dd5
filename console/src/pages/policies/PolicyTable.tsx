import { toPolicyScope, toScopeLabel } from "../../lib/policy-tree.js";
import type { PolicyDocument } from "../../lib/resources.js";
import { toHash } from "../../lib/route.js";
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
        {props.items.map((p) => (
          <Row
            key={p.metadata.name}
            policy={p}
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
  return (
    <tr>
      <td>
        <a href={toHash({ page: "policy-edit", name })}>{name}</a>
      </td>
      {props.showScope ? <td>{toScopeLabel(toPolicyScope(p.spec))}</td> : null}
      <td>
        {templateOf(recipe)?.label ?? recipe} <span className="muted mono">({recipe})</span>
      </td>
      <td>
        <span className={`pill action-${action}`}>{action}</span>
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
