{{/*
Names, labels and the pods' environment, shared by the templates. The environment is written
into each pod (not a ConfigMap) so that the migration hook, which runs before any of the
release's own objects exist, sees exactly what the server pods see.
*/}}

{{- define "atelier.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "atelier.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "atelier.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "atelier.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: opgave-atelier
{{- end }}

{{- define "atelier.selectorLabels" -}}
app.kubernetes.io/name: {{ include "atelier.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* The server pods; the migration's pods have component "migrate" and get no traffic. */}}
{{- define "atelier.serverSelectorLabels" -}}
{{ include "atelier.selectorLabels" . }}
app.kubernetes.io/component: server
{{- end }}

{{- define "atelier.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{- define "atelier.claimName" -}}
{{- default (printf "%s-data" (include "atelier.fullname" .)) .Values.persistence.existingClaim }}
{{- end }}

{{- define "atelier.hasDatabase" -}}
{{- if or .Values.externalDatabase.host .Values.externalDatabase.existingSecretUrlKey }}true{{ end }}
{{- end }}

{{- define "atelier.hasRedis" -}}
{{- if or .Values.externalRedis.host .Values.externalRedis.existingSecretUrlKey }}true{{ end }}
{{- end }}

{{/* More than one server pod at some moment: PostgreSQL and a shared volume are needed. */}}
{{- define "atelier.severalPods" -}}
{{- if or .Values.autoscaling.enabled (gt (int .Values.replicaCount) 1) }}true{{ end }}
{{- end }}

{{- define "atelier.publicUrl" -}}
{{- if .Values.config.publicUrl }}
{{- .Values.config.publicUrl }}
{{- else if .Values.ingress.enabled }}
{{- printf "https://%s" .Values.ingress.host }}
{{- else }}
{{- fail "config.publicUrl: set the address people use (https://…) when ingress.enabled is false" }}
{{- end }}
{{- end }}

{{/*
Combinations the schema cannot refuse, with a sentence that says what to change. Included by
every template that depends on them, so `helm template` and `helm install` stop before anything
is made.
*/}}
{{- define "atelier.validate" -}}
{{- if include "atelier.severalPods" . }}
{{- if not (include "atelier.hasDatabase" .) }}
{{- fail "more than one pod (replicaCount > 1 or autoscaling) needs PostgreSQL: set externalDatabase.host or externalDatabase.existingSecretUrlKey" }}
{{- end }}
{{- if not (has "ReadWriteMany" .Values.persistence.accessModes) }}
{{- if not .Values.persistence.existingClaim }}
{{- fail "more than one pod (replicaCount > 1 or autoscaling) shares the photos: persistence.accessModes must include ReadWriteMany" }}
{{- end }}
{{- end }}
{{- end }}
{{- if and .Values.externalDatabase.host (not .Values.externalDatabase.existingSecretPasswordKey) }}
{{- fail "externalDatabase.host is set: name the password's key with externalDatabase.existingSecretPasswordKey" }}
{{- end }}
{{- if and .Values.networkPolicy.enabled .Values.networkPolicy.oidc.enabled (not .Values.networkPolicy.oidc.to) }}
{{- fail "networkPolicy.oidc.enabled: list the sign-in provider's addresses in networkPolicy.oidc.to (ipBlock peers)" }}
{{- end }}
{{- end }}

{{- define "atelier.databaseSecret" -}}
{{- default .Values.secrets.existingSecret .Values.externalDatabase.existingSecret }}
{{- end }}

{{- define "atelier.redisSecret" -}}
{{- default .Values.secrets.existingSecret .Values.externalRedis.existingSecret }}
{{- end }}

{{/* The environment of every pod (server and migration). */}}
{{- define "atelier.env" -}}
- name: ATELIER_ENVIRONMENT
  value: production
- name: ATELIER_PUBLIC_URL
  value: {{ include "atelier.publicUrl" . | quote }}
- name: ATELIER_TRUSTED_PROXIES
  value: {{ toJson .Values.config.trustedProxies | quote }}
- name: ATELIER_DATA_DIR
  value: /data
- name: ATELIER_IMAGE_DIR
  value: /data/images
- name: ATELIER_WORKERS
  value: {{ .Values.config.workers | quote }}
- name: ATELIER_LOG_FORMAT
  value: {{ .Values.config.logFormat | quote }}
- name: ATELIER_RETENTION_DAYS
  value: {{ .Values.config.retentionDays | quote }}
- name: ATELIER_PRIVACY_ORGANISATION
  value: {{ .Values.config.privacyOrganisation | quote }}
- name: ATELIER_PRIVACY_CONTACT
  value: {{ .Values.config.privacyContact | quote }}
{{- range $name, $value := .Values.config.extraEnv }}
- name: {{ $name }}
  value: {{ $value | quote }}
{{- end }}
- name: ATELIER_SECRET_KEY
  valueFrom:
    secretKeyRef:
      name: {{ .Values.secrets.existingSecret }}
      key: {{ .Values.secrets.secretKeyKey }}
{{- if .Values.secrets.metricsTokenKey }}
- name: ATELIER_METRICS_TOKEN
  valueFrom:
    secretKeyRef:
      name: {{ .Values.secrets.existingSecret }}
      key: {{ .Values.secrets.metricsTokenKey }}
{{- end }}
{{- with .Values.externalDatabase }}
{{- if .host }}
{{- /* libpq reads PGPASSWORD when the URL has none: the password needs no encoding. */}}
- name: PGPASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ include "atelier.databaseSecret" $ }}
      key: {{ .existingSecretPasswordKey }}
- name: ATELIER_DATABASE_URL
  value: {{ printf "postgresql+psycopg://%s@%s:%d/%s%s" .user .host (int .port) .database (ternary (printf "?sslmode=%s" .sslmode) "" (ne .sslmode "")) | quote }}
{{- else if .existingSecretUrlKey }}
- name: ATELIER_DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ include "atelier.databaseSecret" $ }}
      key: {{ .existingSecretUrlKey }}
{{- end }}
{{- end }}
{{- with .Values.externalRedis }}
{{- $scheme := ternary "rediss" "redis" .tls }}
{{- if .host }}
{{- if .existingSecretPasswordKey }}
- name: REDIS_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ include "atelier.redisSecret" $ }}
      key: {{ .existingSecretPasswordKey }}
- name: ATELIER_REDIS_URL
  value: {{ printf "%s://:$(REDIS_PASSWORD)@%s:%d/%d" $scheme .host (int .port) (int .database) | quote }}
{{- else }}
- name: ATELIER_REDIS_URL
  value: {{ printf "%s://%s:%d/%d" $scheme .host (int .port) (int .database) | quote }}
{{- end }}
{{- else if .existingSecretUrlKey }}
- name: ATELIER_REDIS_URL
  valueFrom:
    secretKeyRef:
      name: {{ include "atelier.redisSecret" $ }}
      key: {{ .existingSecretUrlKey }}
{{- end }}
{{- end }}
{{- end }}
