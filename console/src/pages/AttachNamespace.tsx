import { useId, useState } from "react";
import { isDnsLabel, isDnsSubdomain } from "../../../src/core/policy/selector.js";
import { useSession } from "../components/context.js";
import { useAction, useLoad } from "../components/hooks.js";
import { Dialog, ErrorBanner, TextField } from "../components/ui.js";
import { toLabelText } from "../lib/format.js";

/**
 * Attach a namespace: pick a cluster and one of the namespaces its agent reported, or type a
 * namespace that has not been reported yet (it is enforced once the agent sees it).
 */
export function AttachNamespace(props: {
  workspace: string;
  onClose: () => void;
  onAttached: () => void;
}) {
  const { api } = useSession();
  const clusters = useLoad(() => api.clusters(), [api]);
  const [cluster, setCluster] = useState("");
  const [namespace, setNamespace] = useState("");
  const reported = useLoad(
    () => (isDnsSubdomain(cluster.trim()) ? api.namespaces(cluster.trim()) : Promise.resolve([])),
    [api, cluster],
  );
  const action = useAction();
  const clusterList = useId();
  const namespaceList = useId();
  const c = cluster.trim();
  const ns = namespace.trim();
  const clusterError = c !== "" && !isDnsSubdomain(c) ? "Not a valid cluster name." : undefined;
  const nsError =
    ns !== "" && !isDnsLabel(ns) ? "Not a valid namespace name (RFC 1123 label)." : undefined;
  const known = reported.data?.find((n) => n.name === ns);
  const hint =
    ns === "" || reported.data === undefined
      ? "Pick a reported namespace or type one that is not reported yet."
      : known === undefined
        ? "Not reported by this cluster yet: it will be covered as soon as the agent reports it."
        : known.workspace !== undefined && known.workspace !== props.workspace
          ? `Already in workspace ${known.workspace}.`
          : `Labels: ${toLabelText(known.labels) || "none"}`;
  return (
    <Dialog title="Attach namespace" onClose={props.onClose}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void action.run(async () => {
            await api.attach(props.workspace, c, ns);
            props.onAttached();
          });
        }}
      >
        <TextField
          label="Cluster"
          value={cluster}
          onChange={setCluster}
          list={clusterList}
          error={clusterError}
          autoFocus
          required
        />
        <datalist id={clusterList}>
          {(clusters.data ?? []).map((x) => (
            <option key={x.metadata.name} value={x.metadata.name} />
          ))}
        </datalist>
        <TextField
          label="Namespace"
          value={namespace}
          onChange={setNamespace}
          list={namespaceList}
          error={nsError}
          hint={hint}
          required
        />
        <datalist id={namespaceList}>
          {(reported.data ?? []).map((n) => (
            <option key={n.name} value={n.name}>
              {toLabelText(n.labels)}
            </option>
          ))}
        </datalist>
        <ErrorBanner error={action.error ?? clusters.error} />
        <div className="actions">
          <button
            type="submit"
            className="primary"
            disabled={
              action.busy ||
              c === "" ||
              ns === "" ||
              clusterError !== undefined ||
              nsError !== undefined
            }
          >
            Attach
          </button>
          <button type="button" onClick={props.onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}
