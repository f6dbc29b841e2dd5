/**
 * CEL `variables` that find every container image of the request's object and canonicalize
 * each one exactly as src/core/reference does (distribution/reference ParseNormalizedNamed,
 * then the matching parts of parts.ts). Kubernetes' CEL has no image library that
 * @bufbuild/cel also has, so the work is done with `matches`, `split`, `indexOf`, `substring`
 * and `lowerAscii`, one `map` per step over the list of images: every step is O(1) per image
 * (no nested comprehension), and each is computed once per admission request.
 *
 * The result, `variables.entries`, holds one string per image to check:
 *
 *   valid:    HOSTNAME|PORT|IMAGENAME|SHORTNAME|TAGFIELD|DIGEST|IMAGE
 *   invalid:  !|IMAGE
 *
 * IMAGE is the image as written, shortened and kept on one line for messages. TAGFIELD is
 * "t" + tag, or "" for a digest-only image, so that no tag pattern (not even `*`) matches a
 * missing tag. No field of a valid image, IMAGE included, can hold "|" (the grammar has no such
 * character), so `split('|')` gives the fields back (rules.ts).
 *
 * Where the two CEL implementations differ, the difference never reaches a verdict: cel-go
 * counts string indexes in code points and @bufbuild/cel in UTF-16 units, and `lowerAscii`
 * folds ASCII only where the engine uses toLowerCase; both matter only for non-ASCII input,
 * which the grammar refuses whatever the split, so such an image is invalid on both sides.
 */
import {
  DEFAULT_DOMAIN,
  LEGACY_DEFAULT_DOMAIN,
  LOCALHOST,
  MAX_REFERENCE_LENGTH,
  NAME_TOTAL_LENGTH_MAX,
  OFFICIAL_REPO_PREFIX,
} from "../../core/reference/grammar.js";
import { celString, celStringList, hasChain } from "./cel.js";
import { referenceRegexes } from "./grammar.js";

/**
 * Hosts that serve Docker Hub, folded into docker.io for matching. A copy of parts.ts
 * DOCKER_HUB_HOSTS, which is not exported (the engine could export it; see docs/vap.md).
 */
export const DOCKER_HUB_HOSTS: readonly string[] = [
  "docker.io",
  "index.docker.io",
  "registry-1.docker.io",
];

/** Characters of an image kept for messages. */
export const DISPLAY_LENGTH = 100;

/** Workload kinds whose pod template is at spec.template.spec (src/core/workload/kinds.ts). */
const TEMPLATE_KINDS = [
  "Deployment",
  "ReplicaSet",
  "StatefulSet",
  "DaemonSet",
  "Job",
  "ReplicationController",
];

/** The pod spec of `root` (object or oldObject) by the request's kind; {} when it has none. */
function podSpecOf(root: string): string {
  const at = (path: string[]) => {
    const guard = hasChain(root, path);
    return `(${guard} ? ${root}.${path.join(".")} : {})`;
  };
  const kind = "request.kind.kind";
  return [
    `${kind} == 'Pod' ? ${at(["spec"])}`,
    `${kind} == 'CronJob' ? ${at(["spec", "jobTemplate", "spec", "template", "spec"])}`,
    `${kind} == 'PodTemplate' ? ${at(["template", "spec"])}`,
    `${kind} in ${celStringList(TEMPLATE_KINDS)} ? ${at(["spec", "template", "spec"])}`,
    "{}",
  ].join(" : ");
}

/** Every container of a pod spec variable, all types; an absent image is "". */
function imagesOf(spec: string): string {
  const list = (field: string) => `(has(${spec}.${field}) ? ${spec}.${field} : [])`;
  const all = ["containers", "initContainers", "ephemeralContainers"].map(list).join(" + ");
  return `(${all}).map(c, has(c.image) ? c.image : '')`;
}

/** splitDockerDomain (parse.ts), written out: the string `domain/remainder` for image `s`. */
function normalizedName(s: string): string {
  const slash = `${s}.indexOf('/')`;
  const first = `${s}.substring(0, ${slash})`;
  const rest = `${s}.substring(${slash} + 1)`;
  const official = (name: string) =>
    `(${name}.indexOf('/') < 0 ? ${celString(OFFICIAL_REPO_PREFIX)} : '') + ${name}`;
  const hub = `${celString(`${DEFAULT_DOMAIN}/`)}`;
  return (
    `(${slash} < 0 ? ${hub} + ${celString(OFFICIAL_REPO_PREFIX)} + ${s}` +
    ` : ${first} == ${celString(LOCALHOST)} ? ${s}` +
    ` : ${first} == ${celString(LEGACY_DEFAULT_DOMAIN)} ? ${hub} + ${official(rest)}` +
    ` : ${first}.indexOf('.') >= 0 || ${first}.indexOf(':') >= 0 || ${first}.lowerAscii() != ${first}` +
    ` ? (${first} == ${celString(DEFAULT_DOMAIN)} ? ${hub} + ${official(rest)} : ${s})` +
    ` : ${hub} + ${s})`
  );
}

/** The image shortened to one line of at most DISPLAY_LENGTH characters, for messages. */
function display(s: string): string {
  const short = `(size(${s}) > ${DISPLAY_LENGTH} ? ${s}.substring(0, ${DISPLAY_LENGTH}) + '...' : ${s})`;
  return `${short}.replace('\\n', ' ').replace('\\r', ' ')`;
}

const INVALID = "x.matches('^!')";

/** One CEL variable: its name and expression. */
export interface CelVariable {
  readonly name: string;
  readonly expression: string;
}

/**
 * The variables, in order (each refers only to those before it, as Kubernetes requires).
 * `exempt`, a CEL predicate on the normalized image with its implied tag, leaves the valid
 * images it holds for out of `named` and so out of every check (ImagePolicyExceptions).
 */
export function imageVariables(exempt?: (normalized: string) => string): CelVariable[] {
  const re = referenceRegexes();
  const name = normalizedName("s");
  const valid =
    `size(s) <= ${MAX_REFERENCE_LENGTH} && !s.matches(${celString(re.identifier)})` +
    ` && ${name}.matches(${celString(re.reference)})`;
  // named: NAME|IMAGE where NAME is distribution/reference's `domain/remainder`.
  const kept = `${name} + '|' + ${display("s")}`;
  // The implied tag: `latest` when the name has neither a tag (a `:` after its last `/`) nor
  // a digest, as toImageFacts adds it.
  const implied =
    "(n.indexOf('@') < 0 && n.substring(n.lastIndexOf('/') + 1).indexOf(':') < 0 ? ':latest' : '')";
  const named =
    exempt === undefined
      ? `variables.checked.map(s, ${valid} ? ${kept} : '!|' + ${display("s")})`
      : `variables.checked.map(s, ${valid} ? ([${name}].all(n, ${exempt(`(n + ${implied})`)}) ? '' : ${kept}) : '!|' + ${display("s")}).filter(x, x != '')`;

  // split: DOMAIN|REMAINDER|IMAGE. The grammar takes the first element for the domain when it
  // is one (it cannot hold "/"), else the whole name is the path (e.g. `a_b.c/x`).
  const n = "x.split('|')[0]";
  const first = `${n}.substring(0, ${n}.indexOf('/'))`;
  const isDomain = `${first}.matches(${celString(re.domain)})`;
  const split =
    `variables.named.map(x, ${INVALID} ? x : (${isDomain} ? ${first} + '|' + ${n}.substring(${n}.indexOf('/') + 1)` +
    ` : '|' + ${n}) + '|' + x.split('|')[1])`;

  // fields: HOST|PORT|PATH|TAGFIELD|DIGEST|IMAGE (host lowercase, port without ":").
  const d = "x.split('|')[0]";
  const rem = "x.split('|')[1]";
  const hasPort = `${d}.matches(':[0-9]+$')`;
  const host = `(${hasPort} ? ${d}.substring(0, ${d}.lastIndexOf(':')) : ${d}).lowerAscii()`;
  const port = `(${hasPort} ? ${d}.substring(${d}.lastIndexOf(':') + 1) : '')`;
  const nameTag = `${rem}.split('@')[0].split(':')`;
  const path = `${nameTag}[0]`;
  const digest = `(size(${rem}.split('@')) > 1 ? ${rem}.split('@')[1] : '')`;
  const tag = `(size(${nameTag}) > 1 ? 't' + ${nameTag}[1] : ${digest} == '' ? 'tlatest' : '')`;
  const fields =
    `variables.split.map(x, ${INVALID} ? x : size(${path}) > ${NAME_TOTAL_LENGTH_MAX} ? '!|' + x.split('|')[2]` +
    ` : ${host} + '|' + ${port} + '|' + ${path} + '|' + ${tag} + '|' + ${digest} + '|' + x.split('|')[2])`;

  // entries: Docker Hub aliases folded, library/ added on them, the short name worked out.
  const f = (i: number) => `x.split('|')[${i}]`;
  const hub = `${f(0)} in ${celStringList(DOCKER_HUB_HOSTS)}`;
  const lib = celString(OFFICIAL_REPO_PREFIX);
  const imageName = `(${hub} && ${f(2)}.indexOf('/') < 0 ? ${lib} + ${f(2)} : ${f(2)})`;
  const after = `${imageName}.substring(${OFFICIAL_REPO_PREFIX.length})`;
  const shortName = `(${hub} && ${imageName}.indexOf(${lib}) == 0 && ${after}.indexOf('/') < 0 ? ${after} : '')`;
  const entries =
    `variables.fields.map(x, ${INVALID} ? x : (${hub} ? ${celString(DEFAULT_DOMAIN)} : ${f(0)})` +
    ` + '|' + ${f(1)} + '|' + ${imageName} + '|' + ${shortName} + '|' + ${f(3)} + '|' + ${f(4)} + '|' + ${f(5)})`;

  return [
    { name: "podSpec", expression: podSpecOf("object") },
    {
      name: "oldPodSpec",
      expression: `request.operation == 'UPDATE' && oldObject != null ? (${podSpecOf("oldObject")}) : {}`,
    },
    { name: "images", expression: imagesOf("variables.podSpec") },
    { name: "oldImages", expression: imagesOf("variables.oldPodSpec") },
    // An UPDATE is judged on the images it brings in: one that changes no image (scaling an
    // old Deployment, editing a label) is never denied by a policy written later.
    { name: "checked", expression: "variables.images.filter(s, !(s in variables.oldImages))" },
    { name: "named", expression: named },
    { name: "split", expression: split },
    { name: "fields", expression: fields },
    { name: "entries", expression: entries },
  ];
}
