{{/*
Helpers of the in-cluster registry (registry.enabled). Every object of registry.yaml mirrors a
builder of src/adapters/registry-bundle (objects.ts, access.ts, token.ts, credentials.ts):
test/helm-parity.test.ts compares `helm template` with `customs registry manifests -o json`
object by object, so change both together.
*/}}

{{/* The registry's host without its port (the Ingress host, the certificate's name). */}}
{{- define "customs.registry.hostname" -}}
{{- regexReplaceAll ":[0-9]+$" .Values.registry.host "" -}}
{{- end }}

{{/* The host's port, "" when none. */}}
{{- define "customs.registry.port" -}}
{{- if regexMatch ":[0-9]+$" .Values.registry.host -}}
{{- regexFind "[0-9]+$" .Values.registry.host -}}
{{- end -}}
{{- end }}

{{/*
A bcrypt hash of a password in the `$2y$` form `customs registry manifests` writes (Sprig's
htpasswd hashes with Go's bcrypt, cost 10, and writes `$2a$`: the same algorithm). Fails the
render rather than store Sprig's error text as a hash (it returns one, e.g. past 72 bytes).
Argument: the password.
*/}}
{{- define "customs.registry.bcrypt" -}}
{{- $line := htpasswd "x" . -}}
{{- if not (regexMatch "^x:\\$2a\\$10\\$[./A-Za-z0-9]{53}$" $line) -}}
{{- fail "registry: a password could not be hashed with bcrypt (at most 72 bytes)" -}}
{{- end -}}
{{- printf "$2y$%s" (trimPrefix "x:$2a$" $line) -}}
{{- end }}

{{/*
The password of USER in an existing kubernetes.io/dockerconfigjson Secret, "" when there is
none (first install, `helm template`). Argument: dict "ns" NS "name" NAME "server" HOST "user" USER.
*/}}
{{- define "customs.registry.keptPassword" -}}
{{- $s := lookup "v1" "Secret" .ns .name -}}
{{- if and $s $s.data (hasKey $s.data ".dockerconfigjson") -}}
{{- $auths := (index $s.data ".dockerconfigjson" | b64dec | fromJson).auths | default dict -}}
{{- $entry := get $auths .server | default dict -}}
{{- if eq (get $entry "username" | toString) .user -}}
{{- get $entry "password" -}}
{{- end -}}
{{- end -}}
{{- end }}

{{/* The bcrypt hash of ACCOUNT in the existing accounts Secret, "". Argument: dict "ns" "account". */}}
{{- define "customs.registry.keptHash" -}}
{{- $s := lookup "v1" "Secret" .ns "registry-token-accounts" -}}
{{- if and $s $s.data (hasKey $s.data "accounts.yaml") -}}
{{- $doc := index $s.data "accounts.yaml" | b64dec | fromYaml -}}
{{- range $doc.accounts | default list -}}
{{- if eq .name $.account }}{{ .secret }}{{ end -}}
{{- end -}}
{{- end -}}
{{- end }}

{{/* A kubernetes.io/dockerconfigjson Secret as kubectl writes it. Argument: dict "name" "ns" "server" "user" "password". */}}
{{- define "customs.registry.pullSecret" -}}
{{- $config := dict "auths" (dict .server (dict "username" .user "password" .password "auth" (printf "%s:%s" .user .password | b64enc))) -}}
apiVersion: v1
kind: Secret
metadata:
  name: {{ .name }}
  namespace: {{ .ns }}
type: kubernetes.io/dockerconfigjson
data:
  .dockerconfigjson: {{ toJson $config | b64enc }}
{{- end }}

{{/*
Ingress to PORT only, from the ingress controller's namespace when given, else from any.
Argument: dict "root" $ "name" NAME "port" PORT.
*/}}
{{- define "customs.registry.networkPolicy" -}}
{{- $from := dict -}}
{{- with .root.Values.registry.networkPolicy.ingressNamespace -}}
{{- $from = dict "matchLabels" (dict "kubernetes.io/metadata.name" .) -}}
{{- end -}}
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: {{ .name }}
  namespace: {{ .root.Release.Namespace }}
  labels:
    {{- include "customs.labels" .name | nindent 4 }}
spec:
  podSelector:
    matchLabels:
      {{- include "customs.labels" .name | nindent 6 }}
  policyTypes: [Ingress]
  ingress:
    - from: [{namespaceSelector: {{ toJson $from }}}]
      ports: [{protocol: TCP, port: {{ .port }}}]
{{- end }}

{{/* The container security context both registry workloads share. */}}
{{- define "customs.registry.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
capabilities: {drop: [ALL]}
{{- end }}
