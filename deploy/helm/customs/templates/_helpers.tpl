{{/*
Helpers shared by the components. Every object mirrors a builder of src/adapters/install
(common.ts, objects.ts, agent.ts): test/helm-parity.test.ts compares `helm template` with
`customs install` object by object, so change both together.
*/}}

{{/* Labels of a component (its name as the argument): the same as `customs install`'s. */}}
{{- define "customs.labels" -}}
app.kubernetes.io/name: {{ . }}
app.kubernetes.io/part-of: customs
{{- end }}

{{/* repository:tag[@digest]; the tag defaults to the chart's appVersion. */}}
{{- define "customs.image" -}}
{{- $tag := .Values.image.tag | default .Chart.AppVersion -}}
{{- .Values.image.repository }}:{{ $tag }}{{ with .Values.image.digest }}@{{ . }}{{ end }}
{{- end }}

{{/* The exempt namespaces, the release namespace first, each once (JSON list). */}}
{{- define "customs.exempt" -}}
{{- prepend .Values.exemptNamespaces .Release.Namespace | uniq | toJson -}}
{{- end }}

{{/* Name of the registry credentials Secret, or "" when none. */}}
{{- define "customs.registrySecret" -}}
{{- if .Values.registryCredentials.existingSecret -}}
{{- .Values.registryCredentials.existingSecret -}}
{{- else if .Values.registryCredentials.dockerConfigJson -}}
customs-registry-credentials
{{- end -}}
{{- end }}

{{/* Name of the registry CA ConfigMap, or "" when none. */}}
{{- define "customs.registryCA" -}}
{{- if .Values.registryCA.existingConfigMap -}}
{{- .Values.registryCA.existingConfigMap -}}
{{- else if .Values.registryCA.bundle -}}
customs-registry-ca
{{- end -}}
{{- end }}

{{/*
Registry credentials and CAs as volumes, mounts and flags (JSON list of {volume, mount, args}).
Argument: dict "root" $ "caFlag" "--ca-file" (the webhook) or "--registry-ca-file" (the agent).
*/}}
{{- define "customs.registryMounts" -}}
{{- $root := .root -}}
{{- $out := list -}}
{{- with include "customs.registrySecret" $root -}}
{{- $out = append $out (dict
  "volume" (dict "name" "registry-credentials" "secret" (dict "secretName" . "items" (list (dict "key" ".dockerconfigjson" "path" "config.json"))))
  "mount" (dict "name" "registry-credentials" "mountPath" "/etc/customs/registry" "readOnly" true)
  "args" (list "--registry-config" "/etc/customs/registry/config.json")) -}}
{{- end -}}
{{- with include "customs.registryCA" $root -}}
{{- $out = append $out (dict
  "volume" (dict "name" "registry-ca" "configMap" (dict "name" .))
  "mount" (dict "name" "registry-ca" "mountPath" "/etc/customs/registry-ca" "readOnly" true)
  "args" (list $.caFlag "/etc/customs/registry-ca/ca.crt")) -}}
{{- end -}}
{{- toJson $out -}}
{{- end }}

{{/*
The Deployment of a webhook-serving component (buildWebhookPod in common.ts).
Argument: dict "root" $ "app" NAME "name" CONTAINER "replicas" N "resources" {...}
"args" [...] "mounts" [{volume, mount, args}...].
*/}}
{{- define "customs.webhookDeployment" -}}
{{- $root := .root -}}
{{- $args := .args -}}
{{- $mounts := list (dict "name" "tls" "mountPath" "/tls" "readOnly" true) (dict "name" "tmp" "mountPath" "/tmp") -}}
{{- $volumes := list (dict "name" "tls" "secret" (dict "secretName" (printf "%s-tls" .app))) (dict "name" "tmp" "emptyDir" (dict "sizeLimit" "64Mi")) -}}
{{- range .mounts -}}
{{- $args = concat $args .args -}}
{{- $mounts = append $mounts .mount -}}
{{- $volumes = append $volumes .volume -}}
{{- end -}}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .app }}
  namespace: {{ $root.Release.Namespace }}
  labels:
    {{- include "customs.labels" .app | nindent 4 }}
spec:
  replicas: {{ int .replicas }}
  selector:
    matchLabels:
      {{- include "customs.labels" .app | nindent 6 }}
  strategy:
    type: RollingUpdate
    rollingUpdate: {maxUnavailable: 0, maxSurge: 1}
  template:
    metadata:
      labels:
        {{- include "customs.labels" .app | nindent 8 }}
    spec:
      serviceAccountName: {{ .app }}
      priorityClassName: system-cluster-critical
      securityContext:
        {{- include "customs.podSecurityContext" . | nindent 8 }}
      {{- with $root.Values.image.pullSecrets }}
      imagePullSecrets:
        {{- range . }}
        - name: {{ . }}
        {{- end }}
      {{- end }}
      # Spread replicas so that one node going down does not take admission with it.
      topologySpreadConstraints:
        - maxSkew: 1
          topologyKey: kubernetes.io/hostname
          whenUnsatisfiable: ScheduleAnyway
          labelSelector:
            matchLabels:
              {{- include "customs.labels" .app | nindent 14 }}
      terminationGracePeriodSeconds: 30
      containers:
        - name: {{ .name }}
          image: {{ include "customs.image" $root }}
          imagePullPolicy: {{ $root.Values.image.pullPolicy }}
          args: {{ toJson $args }}
          ports:
            - {name: https, containerPort: 8443}
          readinessProbe:
            httpGet: {path: /readyz, port: 8443, scheme: HTTPS}
            periodSeconds: 10
            timeoutSeconds: 2
          livenessProbe:
            httpGet: {path: /healthz, port: 8443, scheme: HTTPS}
            periodSeconds: 10
            timeoutSeconds: 2
          # Keeps serving while the Service's endpoints drop the Pod, then drains on SIGTERM.
          lifecycle:
            preStop:
              sleep: {seconds: 5}
          resources: {{ toJson .resources }}
          securityContext:
            {{- include "customs.containerSecurityContext" . | nindent 12 }}
          volumeMounts: {{ toJson $mounts }}
      volumes: {{ toJson $volumes }}
{{- end }}

{{/* uid 65532 (the image's user), no privilege, RuntimeDefault seccomp. */}}
{{- define "customs.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 65532
runAsGroup: 65532
fsGroup: 65532
seccompProfile: {type: RuntimeDefault}
{{- end }}

{{/* Nothing written outside the mounted volumes, no capabilities. */}}
{{- define "customs.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
runAsNonRoot: true
capabilities: {drop: [ALL]}
{{- end }}

{{/*
Service, PodDisruptionBudget (more than one replica), NetworkPolicy, ServiceMonitor.
Argument: dict "root" $ "app" NAME "replicas" N.
*/}}
{{- define "customs.serviceAndExtras" -}}
{{- $root := .root -}}
apiVersion: v1
kind: Service
metadata:
  name: {{ .app }}
  namespace: {{ $root.Release.Namespace }}
  labels:
    {{- include "customs.labels" .app | nindent 4 }}
spec:
  type: ClusterIP
  selector:
    {{- include "customs.labels" .app | nindent 4 }}
  ports:
    - {name: https, port: 443, targetPort: 8443}
{{- /* With one replica, minAvailable 1 would block every node drain forever: no budget then. */}}
{{- if and $root.Values.podDisruptionBudget.enabled (ge (int .replicas) 2) }}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ .app }}
  namespace: {{ $root.Release.Namespace }}
  labels:
    {{- include "customs.labels" .app | nindent 4 }}
spec:
  minAvailable: 1
  selector:
    matchLabels:
      {{- include "customs.labels" .app | nindent 6 }}
{{- end }}
{{- if $root.Values.networkPolicy.enabled }}
---
# Only the webhook port is let in, from anywhere: the API server calls from addresses no
# selector can name (host network, or outside the cluster on managed control planes).
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: {{ .app }}
  namespace: {{ $root.Release.Namespace }}
  labels:
    {{- include "customs.labels" .app | nindent 4 }}
spec:
  podSelector:
    matchLabels:
      {{- include "customs.labels" .app | nindent 6 }}
  policyTypes: [Ingress]
  ingress:
    - ports:
        - {protocol: TCP, port: 8443}
{{- end }}
{{- if $root.Values.serviceMonitor.enabled }}
---
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata:
  name: {{ .app }}
  namespace: {{ $root.Release.Namespace }}
  labels:
    {{- include "customs.labels" .app | nindent 4 }}
spec:
  selector:
    matchLabels:
      {{- include "customs.labels" .app | nindent 6 }}
  endpoints:
    - port: https
      scheme: https
      path: /metrics
      interval: 30s
      tlsConfig:
        ca:
          secret: {name: {{ .app }}-tls, key: ca.crt}
        serverName: {{ .app }}.{{ $root.Release.Namespace }}.svc
{{- end }}
{{- end }}

{{/*
The serving certificate (generated, reused across upgrades through lookup; or cert-manager)
and the ValidatingWebhookConfiguration that trusts it.
Argument: dict "root" $ "app" NAME "configuration" NAME "mutate" BOOL.
*/}}
{{- define "customs.tlsAndWebhook" -}}
{{- $root := .root -}}
{{- $ns := $root.Release.Namespace -}}
{{- $secretName := printf "%s-tls" .app -}}
{{- $caBundle := "" -}}
{{- if $root.Values.certificates.certManager }}
apiVersion: cert-manager.io/v1
kind: Issuer
metadata:
  name: {{ .app }}-selfsigned
  namespace: {{ $ns }}
  labels:
    {{- include "customs.labels" .app | nindent 4 }}
spec:
  selfSigned: {}
---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata:
  name: {{ .app }}
  namespace: {{ $ns }}
  labels:
    {{- include "customs.labels" .app | nindent 4 }}
spec:
  secretName: {{ $secretName }}
  dnsNames:
    - {{ .app }}.{{ $ns }}.svc
    - {{ .app }}.{{ $ns }}.svc.cluster.local
  issuerRef: {name: {{ .app }}-selfsigned, kind: Issuer}
  duration: 2160h
  renewBefore: 360h
  privateKey: {algorithm: ECDSA, size: 256, rotationPolicy: Always}
{{- else }}
{{- $crt := "" -}}
{{- $key := "" -}}
{{- $ca := "" -}}
{{- /* Reused across upgrades, so the API server's trust does not change under running pods. */}}
{{- $existing := lookup "v1" "Secret" $ns $secretName -}}
{{- if and $existing $existing.data (hasKey $existing.data "ca.crt") -}}
{{- $crt = index $existing.data "tls.crt" | b64dec -}}
{{- $key = index $existing.data "tls.key" | b64dec -}}
{{- $ca = index $existing.data "ca.crt" | b64dec -}}
{{- else -}}
{{- $caPair := genCA (printf "%s CA" .app) 3650 -}}
{{- $dns := list (printf "%s.%s.svc" .app $ns) (printf "%s.%s.svc.cluster.local" .app $ns) -}}
{{- $cert := genSignedCert (printf "%s.%s.svc" .app $ns) nil $dns (int $root.Values.certificates.days) $caPair -}}
{{- $crt = $cert.Cert -}}
{{- $key = $cert.Key -}}
{{- $ca = $caPair.Cert -}}
{{- end -}}
{{- $caBundle = $ca }}
apiVersion: v1
kind: Secret
type: kubernetes.io/tls
metadata:
  name: {{ $secretName }}
  namespace: {{ $ns }}
  labels:
    {{- include "customs.labels" .app | nindent 4 }}
stringData:
  tls.crt: {{ toJson $crt }}
  tls.key: {{ toJson $key }}
  ca.crt: {{ toJson $ca }}
{{- end }}
{{- $hook := dict
  "name" "validate.customs.dev"
  "admissionReviewVersions" (list "v1")
  "sideEffects" "None"
  "failurePolicy" $root.Values.failurePolicy
  "matchPolicy" "Equivalent"
  "timeoutSeconds" (int $root.Values.timeoutSeconds)
  "clientConfig" (dict "service" (dict "name" .app "namespace" $ns "path" "/validate" "port" 443))
  "rules" (include "customs.admissionRules" . | fromJsonArray)
  "namespaceSelector" (dict "matchExpressions" (list (dict "key" "kubernetes.io/metadata.name" "operator" "NotIn" "values" (include "customs.exempt" $root | fromJsonArray))))
}}
{{- if $caBundle }}
{{- $_ := set $hook.clientConfig "caBundle" ($caBundle | b64enc) }}
{{- end }}
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata:
  name: {{ .configuration }}
  labels:
    {{- include "customs.labels" .app | nindent 4 }}
  {{- if $root.Values.certificates.certManager }}
  annotations:
    cert-manager.io/inject-ca-from: {{ $ns }}/{{ .app }}
  {{- end }}
{{- $hooks := list $hook }}
{{- if .policies }}
{{- /* Customs' own resources: a separate entry that always fails closed (DELETE unchecked). */}}
{{- $policies := omit (deepCopy $hook) "namespaceSelector" }}
{{- $_ := set $policies "name" "policies.customs.dev" }}
{{- $_ := set $policies "failurePolicy" "Fail" }}
{{- $_ := set $policies "rules" (list (dict "apiGroups" (list "customs.dev") "apiVersions" (list "v1alpha1") "operations" (list "CREATE" "UPDATE") "resources" (list "imagepolicies" "workspaces" "imagepolicyexceptions") "scope" "Cluster")) }}
{{- $hooks = append $hooks $policies }}
{{- end }}
webhooks: {{ toJson $hooks }}
{{- if .mutate }}
{{- /* Pins images to digests; may not refuse anything, so a failure only skips pinning. */}}
{{- $mutating := deepCopy $hook }}
{{- $_ := set $mutating "name" "mutate.customs.dev" }}
{{- $_ := set $mutating "failurePolicy" "Ignore" }}
{{- $_ := set $mutating "reinvocationPolicy" "IfNeeded" }}
{{- $_ := set $mutating "timeoutSeconds" (max (int $root.Values.timeoutSeconds) 5) }}
{{- $_ := set $mutating.clientConfig.service "path" "/mutate" }}
---
apiVersion: admissionregistration.k8s.io/v1
kind: MutatingWebhookConfiguration
metadata:
  name: {{ .configuration }}
  labels:
    {{- include "customs.labels" .app | nindent 4 }}
  {{- if $root.Values.certificates.certManager }}
  annotations:
    cert-manager.io/inject-ca-from: {{ $ns }}/{{ .app }}
  {{- end }}
webhooks: {{ toJson (list $mutating) }}
{{- end }}
{{- end }}

{{/* Every workload kind of the spec, and the ephemeral-containers subresource of pods. */}}
{{- define "customs.admissionRules" -}}
[{"apiGroups":[""],"apiVersions":["v1"],"operations":["CREATE","UPDATE"],"resources":["pods","pods/ephemeralcontainers","replicationcontrollers","podtemplates"],"scope":"Namespaced"},
 {"apiGroups":["apps"],"apiVersions":["v1"],"operations":["CREATE","UPDATE"],"resources":["deployments","replicasets","statefulsets","daemonsets"],"scope":"Namespaced"},
 {"apiGroups":["batch"],"apiVersions":["v1"],"operations":["CREATE","UPDATE"],"resources":["jobs","cronjobs"],"scope":"Namespaced"}]
{{- end }}

{{/* ServiceAccount, ClusterRole (rules as a JSON list in "rules") and its binding. */}}
{{- define "customs.rbac" -}}
{{- $root := .root -}}
apiVersion: v1
kind: ServiceAccount
metadata:
  name: {{ .app }}
  namespace: {{ $root.Release.Namespace }}
  labels:
    {{- include "customs.labels" .app | nindent 4 }}
automountServiceAccountToken: true
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: {{ .app }}
  labels:
    {{- include "customs.labels" .app | nindent 4 }}
rules: {{ toJson .rules }}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: {{ .app }}
  labels:
    {{- include "customs.labels" .app | nindent 4 }}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: {{ .app }}}
subjects:
  - {kind: ServiceAccount, name: {{ .app }}, namespace: {{ $root.Release.Namespace }}}
{{- end }}

{{/*
The audit's leader election (docs/audit.md): get and update of the one Lease customs-audit,
create of leases (create cannot be limited to a name), in the release namespace only.
Argument: dict "root" $ "app" NAME.
*/}}
{{- define "customs.auditLeaseRbac" -}}
{{- $root := .root -}}
{{- $name := printf "%s-audit-lease" .app -}}
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: {{ $name }}
  namespace: {{ $root.Release.Namespace }}
  labels:
    {{- include "customs.labels" .app | nindent 4 }}
rules:
  - {apiGroups: [coordination.k8s.io], resources: [leases], resourceNames: [customs-audit], verbs: [get, update]}
  - {apiGroups: [coordination.k8s.io], resources: [leases], verbs: [create]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: {{ $name }}
  namespace: {{ $root.Release.Namespace }}
  labels:
    {{- include "customs.labels" .app | nindent 4 }}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: {{ $name }}}
subjects:
  - {kind: ServiceAccount, name: {{ .app }}, namespace: {{ $root.Release.Namespace }}}
{{- end }}

{{/*
The CA of the API server's client certificate as a volume, mount and --client-ca-file (JSON
list of {volume, mount, args}; empty when neither a ConfigMap nor a Secret is named).
Argument: dict "clientCA" (webhook.clientCA or agent.clientCA) "value" "webhook.clientCA".
*/}}
{{- define "customs.clientCAMounts" -}}
{{- $ca := .clientCA -}}
{{- $out := list -}}
{{- if and $ca.existingConfigMap $ca.existingSecret -}}
{{- fail (printf "%s: existingConfigMap or existingSecret, not both" .value) -}}
{{- end -}}
{{- $items := list (dict "key" $ca.key "path" "ca.crt") -}}
{{- $volume := dict -}}
{{- if $ca.existingConfigMap -}}
{{- $volume = dict "name" "client-ca" "configMap" (dict "name" $ca.existingConfigMap "items" $items) -}}
{{- else if $ca.existingSecret -}}
{{- $volume = dict "name" "client-ca" "secret" (dict "secretName" $ca.existingSecret "items" $items) -}}
{{- end -}}
{{- if $volume -}}
{{- $out = append $out (dict
  "volume" $volume
  "mount" (dict "name" "client-ca" "mountPath" "/etc/customs/client-ca" "readOnly" true)
  "args" (list "--client-ca-file" "/etc/customs/client-ca/ca.crt")) -}}
{{- end -}}
{{- toJson $out -}}
{{- end }}
