import type { RuleDescriptor } from "../findings/types.js";

/**
 * The rules of `customs dockerfile lint`. IDs are stable: configuration files and inline
 * ignores name them, so a rule's ID never changes meaning once published. Severities are
 * chosen so that the default `--fail-on high` fails a build only for what is a security
 * problem on its own (a base image the policies refuse, a pipe from the network into a
 * shell, a secret written into the image); the rest are hygiene.
 */
export const DOCKERFILE_RULES: readonly RuleDescriptor[] = [
  {
    id: "CD001",
    name: "base-image-without-tag",
    severity: "medium",
    summary: "FROM names an image with neither tag nor digest, so it pulls whatever :latest is",
    fix: "name a tag and pin its digest: FROM image:tag@sha256:…",
  },
  {
    id: "CD002",
    name: "base-image-latest-tag",
    severity: "medium",
    summary: "FROM uses the :latest tag, which moves",
    fix: "name a version tag and pin its digest: FROM image:1.2.3@sha256:…",
  },
  {
    id: "CD003",
    name: "base-image-not-pinned",
    severity: "low",
    summary: "FROM is not pinned to a digest, so a rebuild may get a different image",
    fix: "run `customs dockerfile pin` to add the digest the registry serves now",
  },
  {
    id: "CD004",
    name: "base-image-not-allowed",
    severity: "high",
    summary: "the ImagePolicies that apply refuse the base image",
    fix: "use a base image the policies allow (`customs policy explain IMAGE -p POLICIES --namespace NS` says why)",
  },
  {
    id: "CD005",
    name: "no-user",
    severity: "medium",
    summary:
      "the final stage sets no USER, so the container runs as the base image's user (often root)",
    fix: "add USER with a non-root user (for example USER 10001) to the final stage",
  },
  {
    id: "CD006",
    name: "root-user",
    severity: "medium",
    summary: "the final stage's last USER is root",
    fix: "switch to a non-root user at the end of the final stage",
  },
  {
    id: "CD007",
    name: "add-local-file",
    severity: "low",
    summary: "ADD copies a local file or folder; COPY does the same without ADD's surprises",
    fix: "use COPY (keep ADD only to unpack a local tar archive)",
  },
  {
    id: "CD008",
    name: "add-remote-url",
    severity: "medium",
    summary: "ADD downloads a URL without a checksum, so its content is not verified",
    fix: "add --checksum=sha256:… to the ADD, or download and verify in RUN",
  },
  {
    id: "CD009",
    name: "apt-install-recommends",
    severity: "low",
    summary: "apt-get install without --no-install-recommends installs more than asked",
    fix: "add --no-install-recommends",
  },
  {
    id: "CD010",
    name: "apt-lists-kept",
    severity: "low",
    summary:
      "apt-get install without rm -rf /var/lib/apt/lists/* in the same RUN keeps the lists in the layer",
    fix: "end the RUN with && rm -rf /var/lib/apt/lists/*",
  },
  {
    id: "CD011",
    name: "apt-unpinned-package",
    severity: "low",
    summary: "apt-get install of a package without a version",
    fix: "pin versions: apt-get install package=1.2.3-1",
  },
  {
    id: "CD012",
    name: "apk-cache-kept",
    severity: "low",
    summary: "apk add without --no-cache keeps the package index in the layer",
    fix: "use apk add --no-cache",
  },
  {
    id: "CD013",
    name: "pipe-to-shell",
    severity: "high",
    summary: "a script downloaded with curl or wget runs in a shell unverified",
    fix: "download to a file, verify its checksum or signature, then run it",
  },
  {
    id: "CD014",
    name: "shell-form-command",
    severity: "low",
    summary: "CMD or ENTRYPOINT in shell form: the process runs under /bin/sh and misses signals",
    fix: 'use the exec form: CMD ["program", "arg"]',
  },
  {
    id: "CD015",
    name: "multiple-cmd",
    severity: "medium",
    summary: "more than one CMD in a stage; only the last one takes effect",
    fix: "keep one CMD per stage",
  },
  {
    id: "CD016",
    name: "relative-workdir",
    severity: "low",
    summary: "WORKDIR with a relative path depends on the WORKDIR before it",
    fix: "use an absolute path: WORKDIR /app",
  },
  {
    id: "CD017",
    name: "sudo",
    severity: "medium",
    summary:
      "RUN uses sudo; build steps already run as the current USER, and sudo in an image is an escalation path",
    fix: "switch with USER root for the step, then back to the non-root user",
  },
  {
    id: "CD018",
    name: "maintainer",
    severity: "info",
    summary: "MAINTAINER is deprecated",
    fix: 'use LABEL org.opencontainers.image.authors="name <email>"',
  },
  {
    id: "CD019",
    name: "secret-in-env-or-arg",
    severity: "high",
    summary:
      "ENV or ARG sets a secret-looking variable to a literal value, which stays in the image",
    fix: "pass secrets with RUN --mount=type=secret, never as ENV or ARG values",
  },
  {
    id: "CD020",
    name: "base-image-unchecked",
    severity: "info",
    summary:
      "the base image cannot be worked out (an ARG without a default, or not a valid reference), so it is not checked",
    fix: "give the ARG a default, or check the image the build passes in",
  },
];

export const RULE_IDS: readonly string[] = DOCKERFILE_RULES.map((r) => r.id);

export function ruleById(id: string): RuleDescriptor | undefined {
  return DOCKERFILE_RULES.find((r) => r.id === id);
}
