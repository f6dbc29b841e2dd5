/**
 * Workloads and namespaces out of one parsed document. Never throws: whatever a document holds,
 * the caller gets what could be read plus a problem, with its pointer, for what could not.
 */
import { isListKind, itemKindOf, podSpecPathOf, podSpecPointerOf } from "./kinds.js";
import { MAX_ENTRIES, readContainers, readPullSecrets } from "./pod-spec.js";
import { escapePointerSegment } from "./pointer.js";
import {
  type PullSecretDoc,
  readPullSecret,
  readServiceAccount,
  type ServiceAccountDoc,
} from "./pull-secrets.js";
import { expected, field, isRecord, messageOf, ProblemList, type UnknownRecord } from "./read.js";
import type { ContainerImage, ExtractedResources, NamespaceInfo, Workload } from "./types.js";

/** Lists inside lists deeper than this are refused: no real input nests, a hostile one might. */
export const MAX_LIST_DEPTH = 16;

/**
 * Resources read per document at most. Parsed text cannot come near (a List of 150,000 pods
 * is a whole cluster at Kubernetes' limits); an in-memory List sharing its items could.
 */
export const MAX_RESOURCES = 1_000_000;

interface Context {
  workloads: Workload[];
  namespaces: NamespaceInfo[];
  problems: ProblemList;
  skipped: number;
  visited: number;
  pullSecrets: PullSecretDoc[];
  serviceAccounts: ServiceAccountDoc[];
}

/** What a typed list (`DeploymentList`) implies for items that omit kind and apiVersion. */
interface ItemDefaults {
  kind: string;
  apiVersion: unknown;
}

export function extractResources(doc: unknown): ExtractedResources {
  const context: Context = {
    workloads: [],
    namespaces: [],
    problems: new ProblemList(),
    skipped: 0,
    visited: 0,
    pullSecrets: [],
    serviceAccounts: [],
  };
  try {
    visitResource(doc, "", context, 0, undefined);
  } catch (error) {
    // Only a hostile object (a throwing getter, a Proxy) gets here; parsed YAML cannot.
    context.problems.add("", `could not be read: ${messageOf(error)}`);
  }
  return {
    workloads: context.workloads,
    namespaces: context.namespaces,
    problems: context.problems.finish(),
    skipped: context.skipped,
    // Only when there are some: most inputs hold neither.
    ...(context.pullSecrets.length > 0 ? { pullSecrets: context.pullSecrets } : {}),
    ...(context.serviceAccounts.length > 0 ? { serviceAccounts: context.serviceAccounts } : {}),
  };
}

function visitResource(
  value: unknown,
  pointer: string,
  context: Context,
  depth: number,
  defaults: ItemDefaults | undefined,
): void {
  if (!isRecord(value)) {
    context.problems.add(pointer, expected("an object", value));
    return;
  }
  if (++context.visited > MAX_RESOURCES) {
    if (context.visited === MAX_RESOURCES + 1) {
      context.problems.add(pointer, `more than ${MAX_RESOURCES} resources in one document`);
    }
    return;
  }
  const kind = field(value, "kind") ?? defaults?.kind;
  // kubectl refuses an object without kind: skipping it silently could hide a workload.
  if (typeof kind !== "string" || kind === "") {
    context.problems.add(`${pointer}/kind`, expected("a non-empty string", kind));
    return;
  }
  const apiVersion = field(value, "apiVersion") ?? defaults?.apiVersion;
  const podSpecPath = podSpecPathOf(kind);
  if (podSpecPath !== undefined) {
    readWorkload(value, pointer, kind, apiVersion, podSpecPath, context);
  } else if (kind === "Namespace") {
    readNamespace(value, pointer, context);
  } else if (isListKind(kind)) {
    readList(value, pointer, kind, apiVersion, context, depth);
  } else {
    // Not workloads, but what require-pull-secret may learn from (pull-secrets.ts).
    if (kind === "Secret") {
      const secret = readPullSecret(value);
      if (secret !== undefined) context.pullSecrets.push(secret);
    } else if (kind === "ServiceAccount") {
      const account = readServiceAccount(value);
      if (account !== undefined) context.serviceAccounts.push(account);
    }
    context.skipped++;
  }
}

function readList(
  list: UnknownRecord,
  pointer: string,
  kind: string,
  apiVersion: unknown,
  context: Context,
  depth: number,
): void {
  const items = field(list, "items");
  if (items === undefined) return; // an empty list, as the API serializes one
  if (!Array.isArray(items)) {
    // A custom kind may merely end in "List"; only `List` itself must hold an array.
    if (kind === "List") context.problems.add(`${pointer}/items`, expected("an array", items));
    else context.skipped++;
    return;
  }
  if (depth >= MAX_LIST_DEPTH) {
    context.problems.add(pointer, `lists nested more than ${MAX_LIST_DEPTH} levels deep`);
    return;
  }
  if (items.length > MAX_ENTRIES) {
    context.problems.add(`${pointer}/items`, `more than ${MAX_ENTRIES} entries`);
    return;
  }
  const itemKind = itemKindOf(kind);
  const defaults = itemKind === undefined ? undefined : { kind: itemKind, apiVersion };
  for (let i = 0; i < items.length; i++) {
    visitResource(items[i], `${pointer}/items/${i}`, context, depth + 1, defaults);
  }
}

function readWorkload(
  resource: UnknownRecord,
  pointer: string,
  kind: string,
  apiVersion: unknown,
  podSpecPath: readonly string[],
  context: Context,
): void {
  const { problems } = context;
  if (apiVersion !== undefined && typeof apiVersion !== "string") {
    problems.add(`${pointer}/apiVersion`, expected("a string", apiVersion));
  }
  const metadata = readMetadata(resource, pointer, problems);
  let podSpec: UnknownRecord | undefined = resource;
  let fieldPointer = pointer;
  for (const segment of podSpecPath) {
    fieldPointer += `/${segment}`;
    const next = field(podSpec, segment);
    if (!isRecord(next)) {
      problems.add(fieldPointer, expected("an object", next));
      podSpec = undefined;
      break;
    }
    podSpec = next;
  }
  const podSpecPointer = pointer + podSpecPointerOf(kind);
  const containers: ContainerImage[] = [];
  let imagePullSecrets: string[] = [];
  let serviceAccountName: string | undefined;
  if (podSpec !== undefined) {
    readContainers(podSpec, podSpecPointer, containers, problems);
    imagePullSecrets = readPullSecrets(podSpec, podSpecPointer, problems);
    // `serviceAccount` is the deprecated alias the API server still fills in from it.
    const account = field(podSpec, "serviceAccountName") ?? field(podSpec, "serviceAccount");
    if (typeof account === "string" && account !== "") serviceAccountName = account;
  }
  context.workloads.push({
    apiVersion: typeof apiVersion === "string" ? apiVersion : "",
    kind,
    name: metadata.name,
    namespace: metadata.namespace,
    pointer,
    podSpecPointer,
    containers,
    imagePullSecrets,
    ...(serviceAccountName === undefined ? {} : { serviceAccountName }),
  });
}

function readMetadata(
  resource: UnknownRecord,
  pointer: string,
  problems: ProblemList,
): { name: string; namespace: string | undefined } {
  const metadata = field(resource, "metadata");
  if (!isRecord(metadata)) {
    problems.add(`${pointer}/metadata`, expected("an object", metadata));
    return { name: "", namespace: undefined };
  }
  let name = field(metadata, "name");
  // A Job or Pod made with `kubectl create` may carry only generateName; report that prefix.
  if (name === undefined) name = field(metadata, "generateName");
  if (typeof name !== "string") {
    problems.add(`${pointer}/metadata/name`, expected("a string", field(metadata, "name")));
    name = "";
  }
  const namespace = field(metadata, "namespace");
  if (namespace !== undefined && typeof namespace !== "string") {
    problems.add(`${pointer}/metadata/namespace`, expected("a string", namespace));
  }
  return { name: name as string, namespace: typeof namespace === "string" ? namespace : undefined };
}

function readNamespace(resource: UnknownRecord, pointer: string, context: Context): void {
  const metadata = field(resource, "metadata");
  if (!isRecord(metadata)) {
    context.problems.add(`${pointer}/metadata`, expected("an object", metadata));
    return;
  }
  const name = field(metadata, "name");
  if (typeof name !== "string") {
    context.problems.add(`${pointer}/metadata/name`, expected("a string", name));
    return;
  }
  const labelsPointer = `${pointer}/metadata/labels`;
  const labels = readLabels(field(metadata, "labels"), labelsPointer, context.problems);
  context.namespaces.push({ name, labels, pointer });
}

/**
 * Labels as a prototype-less record, so that a selector looking up `constructor` or
 * `__proto__` finds a label or nothing, never an Object.prototype member.
 */
function readLabels(
  value: unknown,
  pointer: string,
  problems: ProblemList,
): Record<string, string> {
  const labels: Record<string, string> = Object.create(null);
  if (value === undefined) return labels;
  if (!isRecord(value)) {
    problems.add(pointer, expected("an object", value));
    return labels;
  }
  for (const key of Object.keys(value)) {
    const labelValue = value[key];
    if (typeof labelValue === "string") labels[key] = labelValue;
    // `env:` with nothing after it is null, which Kubernetes stores as the empty string.
    else if (labelValue === null) labels[key] = "";
    else problems.add(`${pointer}/${escapePointerSegment(key)}`, expected("a string", labelValue));
  }
  return labels;
}
