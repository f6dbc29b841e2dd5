import { useEffect, useId, useMemo, useState } from "react";
import { useSession } from "../../components/context.js";
import { useDebounced } from "../../components/hooks.js";
import type { ImpactBucket, ImpactChange, ImpactSide } from "../../lib/api-types.js";
import {
  allowHeadline,
  byNamespace,
  denyHeadline,
  type ImpactResponse,
  unknownClusters,
} from "../../lib/impact.js";

/** The workloads of one bucket, grouped by cluster/namespace, with their images. */
function Workloads(props: { bucket: ImpactBucket; label: string }) {
  const groups = byNamespace(props.bucket);
  if (groups.length === 0) return null;
  return (
    <ul className="impact-groups" aria-label={props.label}>
      {groups.map((g) => (
        <li key={g.key}>
          <strong>
            {g.cluster} / {g.namespace}
          </strong>
          <ul>
            {g.workloads.map((w) => (
              <li key={w.owner}>
                <code>{w.owner}</code>
                {w.records === undefined ? "" : ` (${w.records} admissions)`}:{" "}
                {w.images.map((i) => (
                  <code key={i} className="impact-image">
                    {i}
                  </code>
                ))}
                {w.policies.length > 0 ? (
                  <span className="muted"> by {w.policies.join(", ")}</span>
                ) : null}
              </li>
            ))}
          </ul>
        </li>
      ))}
      {props.bucket.truncated ? (
        <li className="muted">… and {props.bucket.workloads - props.bucket.groups.length} more</li>
      ) : null}
    </ul>
  );
}

function Side(props: { side: ImpactSide; title: string; empty: string }) {
  const { side } = props;
  const allow = allowHeadline(side);
  // A delete or an exception is about what it allows: "would deny none" is then only noise.
  const showDeny = side.wouldDeny.workloads > 0 || allow === undefined;
  return (
    <>
      <h3>{props.title}</h3>
      {side.evaluated === 0 ? (
        <p className="muted">{props.empty}</p>
      ) : showDeny ? (
        <p className={side.wouldDeny.workloads > 0 ? "impact-headline deny" : "impact-headline"}>
          {denyHeadline(side)}
        </p>
      ) : null}
      <Workloads bucket={side.wouldDeny} label={`${props.title}: would deny`} />
      {side.wouldWarn.workloads > 0 ? (
        <>
          <p>Would warn {side.wouldWarn.workloads}</p>
          <Workloads bucket={side.wouldWarn} label={`${props.title}: would warn`} />
        </>
      ) : null}
      {allow !== undefined ? (
        <>
          <p>{allow}</p>
          <Workloads bucket={side.wouldAllow} label={`${props.title}: would allow`} />
        </>
      ) : null}
      {side.alreadyDenied.workloads > 0 ? (
        <p className="muted">Already denied: {side.alreadyDenied.workloads}</p>
      ) : null}
    </>
  );
}

/** The answer, for the wizard's panel and the delete dialog alike. */
export function ImpactView(props: { answer: ImpactResponse }) {
  const { answer } = props;
  const unknown = unknownClusters(answer);
  return (
    <>
      <Side
        side={answer.inventory}
        title="Running workloads"
        empty="No running workload reported by the agents yet."
      />
      <Side
        side={answer.admissions}
        title={`Admissions of the last ${answer.days} days`}
        empty="No admission broke a policy in these days."
      />
      {unknown.length > 0 ? (
        <p className="muted">No inventory yet from: {unknown.join(", ")}</p>
      ) : null}
      {answer.notEvaluated.map((n) => (
        <p key={n} className="muted">
          {n}
        </p>
      ))}
    </>
  );
}

/** Asks the control plane what `changes` would do, again whenever they change (debounced). */
export function useImpact(changes: readonly ImpactChange[] | undefined) {
  const { api } = useSession();
  const [answer, setAnswer] = useState<ImpactResponse | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const input = useDebounced(changes === undefined ? "" : JSON.stringify(changes), 600);
  useEffect(() => {
    if (input === "") return;
    const controller = new AbortController();
    setBusy(true);
    api
      .impact(JSON.parse(input) as ImpactChange[], controller.signal)
      .then(({ body }) => {
        setAnswer(body);
        setError(undefined);
      })
      .catch((e: unknown) => {
        if (controller.signal.aborted) return;
        setAnswer(undefined);
        setError(e instanceof Error ? e.message : String(e));
      })
      .finally(() => {
        if (!controller.signal.aborted) setBusy(false);
      });
    return () => controller.abort();
  }, [api, input]);
  return { answer, error, busy };
}

/**
 * "Impact on running workloads": what saving the draft would deny in the fleet, before it is
 * saved. Asked only once the draft is valid (`changes` undefined until then).
 */
export function ImpactPanel(props: { changes: readonly ImpactChange[] | undefined }) {
  const id = useId();
  const { answer, error, busy } = useImpact(props.changes);
  return (
    <section className="card impact" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Impact on running workloads</h2>
      <div aria-live="polite" aria-busy={busy}>
        {props.changes === undefined ? (
          <p className="muted">Shown once the draft is valid.</p>
        ) : error !== undefined ? (
          <p className="field-error">{error}</p>
        ) : answer !== undefined ? (
          <ImpactView answer={answer} />
        ) : (
          <p className="muted">Checking the fleet…</p>
        )}
      </div>
    </section>
  );
}

/** What deleting a policy or an exception would allow, inside its confirm dialog. */
export function DeleteImpact(props: { kind: ImpactChange["kind"]; name: string }) {
  const { kind, name } = props;
  const changes = useMemo(() => [{ op: "delete" as const, kind, name }], [kind, name]);
  const { answer, error } = useImpact(changes);
  if (error !== undefined) return <p className="field-error">{error}</p>;
  if (answer === undefined) return <p className="muted">Checking the fleet…</p>;
  return (
    <section aria-label="Impact of deleting">
      <ImpactView answer={answer} />
    </section>
  );
}
