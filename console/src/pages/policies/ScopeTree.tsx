import { type KeyboardEvent, useRef } from "react";
import { type TreeNode, toFocusTarget } from "../../lib/policy-tree.js";

/**
 * The workspaces and their namespaces as a WAI-ARIA tree: one tab stop (the selected node),
 * arrow keys move, and selection follows focus.
 */
export function ScopeTree(props: {
  tree: TreeNode;
  selected: string;
  onSelect: (id: string) => void;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const onKeyDown = (e: KeyboardEvent) => {
    const target = toFocusTarget(props.tree, props.selected, e.key);
    if (target === undefined) return;
    e.preventDefault();
    props.onSelect(target);
    ref.current?.querySelector<HTMLElement>(`[data-node="${CSS.escape(target)}"]`)?.focus();
  };
  return (
    <div role="tree" aria-label="Organization and workspaces" className="scope-tree" ref={ref}>
      <Item node={props.tree} level={1} {...props} onKeyDown={onKeyDown} />
    </div>
  );
}

function Item(props: {
  node: TreeNode;
  level: number;
  selected: string;
  onSelect: (id: string) => void;
  onKeyDown: (e: KeyboardEvent) => void;
}) {
  const { node } = props;
  const selected = node.id === props.selected;
  const kind =
    node.ref.kind === "organization"
      ? "Organization"
      : node.ref.kind === "workspace"
        ? "Workspace"
        : "";
  return (
    <div
      role="treeitem"
      aria-label={kind === "" ? `Namespace ${node.label}` : `${kind} ${node.label}`}
      aria-level={props.level}
      aria-selected={selected}
      aria-expanded={node.children.length > 0 ? true : undefined}
      tabIndex={selected ? 0 : -1}
      data-node={node.id}
      className={selected ? "selected" : undefined}
      onClick={(e) => {
        e.stopPropagation();
        props.onSelect(node.id);
      }}
      onKeyDown={(e) => {
        e.stopPropagation();
        props.onKeyDown(e);
      }}
    >
      <span className="tree-label" style={{ paddingLeft: `${(props.level - 1) * 1.1 + 0.5}rem` }}>
        {node.ref.kind === "organization" ? <span className="muted">Organization </span> : null}
        {node.label}
      </span>
      {node.children.length > 0 ? (
        // biome-ignore lint/a11y/useSemanticElements: a tree's group of child nodes, not a form group
        <div role="group">
          {node.children.map((c) => (
            <Item key={c.id} {...props} node={c} level={props.level + 1} />
          ))}
        </div>
      ) : null}
    </div>
  );
}
