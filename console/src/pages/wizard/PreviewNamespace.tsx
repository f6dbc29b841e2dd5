import { useEffect, useId } from "react";
import { useSession } from "../../components/context.js";
import { useLoad } from "../../components/hooks.js";
import { toDefaultPreviewNamespace } from "../../lib/preview-namespace.js";
import type { PreviewNamespace } from "../../lib/resources.js";

/**
 * Which namespace the preview decides for: by default one the policy's scope covers, or any
 * namespace a cluster reported (with its labels, so the label tables can be tried out).
 */
export function PreviewNamespacePicker(props: {
  value: PreviewNamespace | undefined;
  onChange: (ns: PreviewNamespace | undefined) => void;
  /** The policy being edited: its scope and selector choose the default namespace. */
  document: unknown;
  /** The default namespace (when the user picks none), as it changes. */
  onDefault: (ns: PreviewNamespace | undefined) => void;
}) {
  const { api } = useSession();
  const id = useId();
  const reported = useLoad(async () => {
    const clusters = await api.clusters();
    const lists = await Promise.all(
      clusters.map(async (c) =>
        (await api.namespaces(c.metadata.name)).map((n) => ({
          cluster: c.metadata.name,
          name: n.name,
          labels: n.labels ?? {},
          workspace: n.workspace,
        })),
      ),
    );
    return lists.flat();
  }, [api]);
  const key = (ns: PreviewNamespace | undefined) =>
    ns === undefined ? "" : `${ns.cluster}/${ns.name}`;
  const found = toDefaultPreviewNamespace(props.document, reported.data ?? []);
  const fallback =
    found === undefined
      ? undefined
      : { cluster: found.cluster, name: found.name, labels: found.labels };
  const fallbackKey = key(fallback);
  const { onDefault } = props;
  // Keyed by name so that a document edit which keeps the same namespace sends no new preview.
  // biome-ignore lint/correctness/useExhaustiveDependencies: fallback changes with fallbackKey
  useEffect(() => onDefault(fallback), [fallbackKey, onDefault]);
  return (
    <div className="field">
      <label htmlFor={id}>Preview in namespace</label>
      <select
        id={id}
        value={key(props.value)}
        onChange={(e) => props.onChange(reported.data?.find((n) => key(n) === e.target.value))}
      >
        <option value="">
          One the policy's scope covers{fallback === undefined ? "" : ` (${fallbackKey})`}
        </option>
        {(reported.data ?? []).map((n) => (
          <option key={key(n)} value={key(n)}>
            {key(n)}
          </option>
        ))}
      </select>
    </div>
  );
}
