import { useId } from "react";
import { useSession } from "./context.js";
import { useLoad } from "./hooks.js";

/**
 * The organization being worked in. A token bound to one organization shows its name; an
 * `admin` token (bound to none) picks among the organizations it can see.
 */
export function OrgSwitcher({ onSwitch }: { onSwitch: (org: string) => void }) {
  const { api, whoami, organization } = useSession();
  const id = useId();
  const bound = whoami.organization !== undefined;
  const orgs = useLoad(() => (bound ? Promise.resolve([]) : api.organizations()), [api, bound]);
  const names = (orgs.data ?? []).map((o) => o.metadata.name);
  if (bound || names.length <= 1) {
    return (
      <span className="org">
        Organization <strong>{organization}</strong>
      </span>
    );
  }
  return (
    <span className="org">
      <label htmlFor={id}>Organization</label>{" "}
      <select id={id} value={organization} onChange={(e) => onSwitch(e.target.value)}>
        {(names.includes(organization) ? names : [organization, ...names]).map((n) => (
          <option key={n} value={n}>
            {n}
          </option>
        ))}
      </select>
    </span>
  );
}
