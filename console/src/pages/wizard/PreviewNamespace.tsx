import { useId } from "react";
import { useSession } from "../../components/context.js";
import { useLoad } from "../../components/hooks.js";
import type { PreviewNamespace } from "../../lib/resources.js";

/**
 * Which namespace the preview decides for: by default one the policy's scope covers, or any
 * namespace a cluster reported (with its labels, so the label tables can be tried out).
 */
export function PreviewNamespacePicker(props: {
  value: PreviewNamespace | undefined;
  onChange: (ns: PreviewNamespace | undefined) => void;
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
        })),
      ),
    );
    return lists.flat();
  }, [api]);
  const key = (ns: PreviewNamespace | undefined) =>
    ns === undefined ? "" : `${ns.cluster}/${ns.name}`;
  return (
    <div className="field">
      <label htmlFor={id}>Preview in namespace</label>
      <select
        id={id}
        value={key(props.value)}
        onChange={(e) => props.onChange(reported.data?.find((n) => key(n) === e.target.value))}
      >
        <option value="">One the policy's scope covers</option>
        {(reported.data ?? []).map((n) => (
          <option key={key(n)} value={key(n)}>
            {key(n)}
          </option>
        ))}
      </select>
    </div>
  );
}
