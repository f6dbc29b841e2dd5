import { checkPattern } from "../policy/index.js";
import { type FieldReader, join } from "./fields.js";
import { type Grant, REPOSITORY_ACTIONS, type RepositoryAction } from "./grants.js";

const isAction = (a: unknown): a is RepositoryAction =>
  REPOSITORY_ACTIONS.includes(a as RepositoryAction);

/** `grants: [{repositories: [PATTERN...], actions: [pull|push|delete...]}]` */
export function readGrants(r: FieldReader, path: string, value: unknown): Grant[] {
  const grants: Grant[] = [];
  r.list(path, value).forEach((item, i) => {
    const at = join(path, i);
    const g = r.object(at, item, ["repositories", "actions"]);
    if (g === undefined) return;
    const repositories: string[] = [];
    r.list(join(at, "repositories"), g.repositories, true).forEach((p, j) => {
      const pat = r.string(join(join(at, "repositories"), j), p);
      if (pat === undefined) return;
      const problem = checkPattern("imageName", pat);
      if (problem !== undefined) r.fail(join(join(at, "repositories"), j), problem);
      else repositories.push(pat);
    });
    const actions: RepositoryAction[] = [];
    r.list(join(at, "actions"), g.actions, true).forEach((a, j) => {
      if (isAction(a)) actions.push(a);
      else
        r.fail(
          join(join(at, "actions"), j),
          `expected one of ${REPOSITORY_ACTIONS.join(", ")}, got ${JSON.stringify(a)}`,
        );
    });
    grants.push({ repositories, actions });
  });
  return grants;
}
