import { useState } from "react";
import { isDnsLabel } from "../../../src/core/policy/selector.js";
import { useSession } from "../components/context.js";
import { useAction, useLoad } from "../components/hooks.js";
import {
  ConfirmDialog,
  Dialog,
  ErrorBanner,
  Loading,
  PageHeader,
  TextField,
} from "../components/ui.js";
import type { TokenRequest } from "../lib/api-types.js";
import { toTimestamp } from "../lib/format.js";
import type { ApiToken } from "../lib/resources.js";

type TokenRole = TokenRequest["spec"]["role"];
const ROLES: readonly TokenRole[] = ["viewer", "workspace-admin", "organization-admin"];

/** A token is addressed by name among the live ones; `admin` ones live outside organizations. */
interface Target {
  readonly token: ApiToken;
  readonly admin: boolean;
}

function CreateToken(props: { onClose: () => void; onCreated: (t: ApiToken) => void }) {
  const { api } = useSession();
  const workspaces = useLoad(() => api.workspaces(), [api]);
  const [name, setName] = useState("");
  const [role, setRole] = useState<TokenRole>("viewer");
  const [picked, setPicked] = useState<readonly string[]>([]);
  const action = useAction();
  const trimmed = name.trim();
  const nameError =
    trimmed !== "" && !isDnsLabel(trimmed)
      ? "Use lowercase letters, digits and '-', starting and ending with a letter or digit (at most 63)."
      : undefined;
  // The server's rules, so the button says why it is off: an org admin has no workspaces, a
  // workspace admin needs at least one.
  const needsWorkspace = role === "workspace-admin" && picked.length === 0;
  const toggle = (ws: string, on: boolean) =>
    setPicked(on ? [...picked, ws] : picked.filter((w) => w !== ws));
  return (
    <Dialog title="Create token" onClose={props.onClose}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void action.run(async () => {
            const reach = role === "organization-admin" ? [] : picked;
            const { body } = await api.createToken(trimmed, role, reach);
            props.onCreated(body);
          });
        }}
      >
        <TextField
          label="Token name"
          value={name}
          onChange={setName}
          error={nameError}
          autoFocus
          required
        />
        <div className="field">
          <label htmlFor="token-role">Role</label>
          <select
            id="token-role"
            value={role}
            onChange={(e) => setRole(ROLES.find((r) => r === e.target.value) ?? "viewer")}
          >
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </div>
        {role === "organization-admin" ? null : (
          <fieldset className="field">
            <legend>Workspaces</legend>
            <p className="hint">
              {role === "viewer"
                ? "None: the viewer reads the whole organization."
                : "The workspaces this admin changes (at least one)."}
            </p>
            {(workspaces.data ?? []).map((w) => (
              <label key={w.metadata.name} className="check">
                <input
                  type="checkbox"
                  checked={picked.includes(w.metadata.name)}
                  onChange={(e) => toggle(w.metadata.name, e.target.checked)}
                />
                {w.metadata.name}
              </label>
            ))}
          </fieldset>
        )}
        <ErrorBanner error={action.error ?? workspaces.error} />
        <div className="actions">
          <button
            type="submit"
            className="primary"
            disabled={action.busy || trimmed === "" || nameError !== undefined || needsWorkspace}
          >
            Create token
          </button>
          <button type="button" onClick={props.onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}

/** The token's text, shown once: only its hash is kept by the control plane. */
function Issued(props: { title: string; token: ApiToken; onClose: () => void }) {
  return (
    <Dialog title={props.title} onClose={props.onClose}>
      <TextField
        label={`Token ${props.token.metadata.name}`}
        value={props.token.token ?? ""}
        onChange={() => {}}
        readOnly
        hint="Copy it now: it is shown only this once. If you signed in with the token it replaces, sign in again with this one."
      />
      <div className="actions">
        <button type="button" className="primary" onClick={props.onClose}>
          Done
        </button>
      </div>
    </Dialog>
  );
}

function TokenTable(props: {
  caption: string;
  items: readonly ApiToken[];
  admin: boolean;
  onRevoke: (t: Target) => void;
  onRotate: (t: Target) => void;
}) {
  // Live tokens first; revoked ones stay listed (with when) since names may be reused.
  const items = [...props.items].sort(
    (a, b) => Number(a.status.revoked) - Number(b.status.revoked),
  );
  return (
    <table>
      <caption>{props.caption}</caption>
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Role</th>
          <th scope="col">Workspaces</th>
          <th scope="col">Created</th>
          <th scope="col">Last used</th>
          <th scope="col">Status</th>
          <th scope="col">
            <span className="sr-only">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {items.map((t) => {
          const name = t.metadata.name;
          const target = { token: t, admin: props.admin };
          return (
            <tr key={t.metadata.id}>
              <td className="mono">{name}</td>
              <td>{t.spec.role}</td>
              <td>{t.spec.workspaces.length === 0 ? "–" : t.spec.workspaces.join(", ")}</td>
              <td className="nowrap">
                {toTimestamp(t.metadata.creationTimestamp)}{" "}
                <span className="muted">by {t.metadata.createdBy}</span>
              </td>
              <td className="nowrap">
                {t.status.lastUsedAt ? toTimestamp(t.status.lastUsedAt) : "never"}
              </td>
              <td>{t.status.revoked ? `revoked ${toTimestamp(t.status.revokedAt)}` : "active"}</td>
              <td className="row-actions">
                {t.status.revoked ? null : (
                  <>
                    <button
                      type="button"
                      className="small"
                      aria-label={`Rotate ${name}`}
                      onClick={() => props.onRotate(target)}
                    >
                      Rotate
                    </button>
                    <button
                      type="button"
                      className="small danger"
                      aria-label={`Revoke ${name}`}
                      onClick={() => props.onRevoke(target)}
                    >
                      Revoke
                    </button>
                  </>
                )}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/**
 * API tokens of the organization (and, for an admin, the admin tokens): create with a role
 * and workspaces, see when each was last used, rotate or revoke. Secrets appear only once.
 */
export function Tokens() {
  const { api, whoami, organization } = useSession();
  const isAdmin = whoami.role === "admin";
  const tokens = useLoad(() => api.tokens(), [api]);
  const admins = useLoad(() => (isAdmin ? api.adminTokens() : Promise.resolve([])), [api, isAdmin]);
  const [creating, setCreating] = useState(false);
  const [revoking, setRevoking] = useState<Target | undefined>(undefined);
  const [rotating, setRotating] = useState<Target | undefined>(undefined);
  const [issued, setIssued] = useState<{ title: string; token: ApiToken } | undefined>(undefined);
  const reload = () => {
    tokens.reload();
    admins.reload();
  };
  return (
    <>
      <PageHeader title="API tokens">
        <button type="button" className="primary" onClick={() => setCreating(true)}>
          Create token
        </button>
      </PageHeader>
      <p className="muted">
        Tokens of organization {organization}. Only a hash of each is stored: a token is shown once,
        when it is created or rotated.
      </p>
      <ErrorBanner error={tokens.error ?? admins.error} />
      {tokens.data === undefined ? (
        tokens.loading ? (
          <Loading what="tokens" />
        ) : null
      ) : (
        <TokenTable
          caption={`Tokens of ${organization}`}
          items={tokens.data}
          admin={false}
          onRevoke={setRevoking}
          onRotate={setRotating}
        />
      )}
      {isAdmin && admins.data !== undefined ? (
        <TokenTable
          caption="Admin tokens (every organization)"
          items={admins.data}
          admin={true}
          onRevoke={setRevoking}
          onRotate={setRotating}
        />
      ) : null}
      {creating ? (
        <CreateToken
          onClose={() => setCreating(false)}
          onCreated={(token) => {
            setCreating(false);
            setIssued({ title: "Token created", token });
            reload();
          }}
        />
      ) : null}
      {revoking ? (
        <ConfirmDialog
          title={`Revoke token ${revoking.token.metadata.name}?`}
          message="Anything that uses it is refused from now on."
          confirm="Revoke"
          onClose={() => setRevoking(undefined)}
          onConfirm={async () => {
            const name = revoking.token.metadata.name;
            await (revoking.admin ? api.revokeAdminToken(name) : api.revokeToken(name));
            setRevoking(undefined);
            reload();
          }}
        />
      ) : null}
      {rotating ? (
        <ConfirmDialog
          title={`Rotate token ${rotating.token.metadata.name}?`}
          message="A new secret replaces it; the current one stops working at once."
          confirm="Rotate"
          onClose={() => setRotating(undefined)}
          onConfirm={async () => {
            const name = rotating.token.metadata.name;
            const { body } = await (rotating.admin
              ? api.rotateAdminToken(name)
              : api.rotateToken(name));
            setRotating(undefined);
            setIssued({ title: "Token rotated", token: body });
            reload();
          }}
        />
      ) : null}
      {issued ? (
        <Issued title={issued.title} token={issued.token} onClose={() => setIssued(undefined)} />
      ) : null}
    </>
  );
}
