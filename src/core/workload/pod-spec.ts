/**
 * Containers out of a pod spec. This runs once per pod on the hot path (a benchmark reads
 * 100,000 pods), so it builds pointers by concatenation and allocates one object per container.
 */
import { expected, field, isRecord, type ProblemList, type UnknownRecord } from "./read.js";
import type { ContainerImage, ContainerType } from "./types.js";

/** Every list Kubernetes starts containers from; an admission check that missed one is a bypass. */
export const CONTAINER_TYPES: readonly ContainerType[] = [
  "containers",
  "initContainers",
  "ephemeralContainers",
];

/**
 * Entries read per container list at most. Parsed YAML or JSON never comes close (the API
 * server refuses objects over 1.5 MiB); it bounds the work on a hostile sparse array.
 */
export const MAX_ENTRIES = 1_000_000;

/**
 * Appends the containers of `podSpec` (found at `specPointer`) to `out`. A container whose
 * entry, name or image is malformed is left out and its problem reported: a policy must not
 * decide on a container it could not read.
 */
/**
 * The names of a pod spec's `imagePullSecrets` (LocalObjectReference entries). An entry that
 * is not an object with a string name is reported: a pull-secret policy must not guess.
 */
export function readPullSecrets(
  podSpec: UnknownRecord,
  specPointer: string,
  problems: ProblemList,
): string[] {
  const list = field(podSpec, "imagePullSecrets");
  const names: string[] = [];
  if (list === undefined) return names;
  const listPointer = `${specPointer}/imagePullSecrets`;
  if (!Array.isArray(list)) {
    problems.add(listPointer, expected("an array", list));
    return names;
  }
  if (list.length > MAX_ENTRIES) {
    problems.add(listPointer, `more than ${MAX_ENTRIES} entries`);
    return names;
  }
  for (let i = 0; i < list.length; i++) {
    const entry = list[i];
    if (!isRecord(entry)) {
      problems.add(`${listPointer}/${i}`, expected("an object", entry));
      continue;
    }
    const name = field(entry, "name");
    if (name === undefined) continue;
    if (typeof name !== "string")
      problems.add(`${listPointer}/${i}/name`, expected("a string", name));
    else names.push(name);
  }
  return names;
}

export function readContainers(
  podSpec: UnknownRecord,
  specPointer: string,
  out: ContainerImage[],
  problems: ProblemList,
): void {
  for (const containerType of CONTAINER_TYPES) {
    const list = field(podSpec, containerType);
    if (list === undefined) continue;
    const listPointer = `${specPointer}/${containerType}`;
    if (!Array.isArray(list)) {
      problems.add(listPointer, expected("an array", list));
      continue;
    }
    if (list.length > MAX_ENTRIES) {
      problems.add(listPointer, `more than ${MAX_ENTRIES} entries`);
      continue;
    }
    for (let i = 0; i < list.length; i++) {
      const container = readContainer(list[i], `${listPointer}/${i}`, containerType, problems);
      if (container !== undefined) out.push(container);
    }
  }
}

function readContainer(
  entry: unknown,
  pointer: string,
  containerType: ContainerType,
  problems: ProblemList,
): ContainerImage | undefined {
  if (!isRecord(entry)) {
    problems.add(pointer, expected("an object", entry));
    return undefined;
  }
  let ok = true;
  const name = field(entry, "name");
  if (name !== undefined && typeof name !== "string") {
    problems.add(`${pointer}/name`, expected("a string", name));
    ok = false;
  }
  const image = field(entry, "image");
  if (image !== undefined && typeof image !== "string") {
    problems.add(`${pointer}/image`, expected("a string", image));
    ok = false;
  }
  const pullPolicy = field(entry, "imagePullPolicy");
  if (pullPolicy !== undefined && typeof pullPolicy !== "string") {
    problems.add(`${pointer}/imagePullPolicy`, expected("a string", pullPolicy));
    ok = false;
  }
  if (!ok) return undefined;
  const container: ContainerImage = {
    container: (name as string | undefined) ?? "",
    containerType,
    image: image as string | undefined,
    pointer: `${pointer}/image`,
  };
  if (pullPolicy !== undefined) container.imagePullPolicy = pullPolicy as string;
  return container;
}
