{{- define "t.image" -}}
{{ .Values.images.airflow.repository | default .Values.defaultAirflowRepository }}:{{ .Values.images.airflow.tag | default .Values.defaultAirflowTag }}
{{- end }}
{{- define "t.fullname" -}}
{{- if contains "airflow" .Release.Name }}{{ .Release.Name }}{{ else }}{{ .Release.Name }}-airflow{{ end }}
{{- end }}
{{- define "t.env" -}}
- name: AIRFLOW__CORE__FERNET_KEY
  valueFrom: {secretKeyRef: {name: {{ .Release.Name }}-fernet-key, key: fernet-key}}
- name: AIRFLOW__DATABASE__SQL_ALCHEMY_CONN
  valueFrom: {secretKeyRef: {name: {{ .Release.Name }}-airflow-metadata, key: connection}}
- name: AIRFLOW_CONN_AIRFLOW_DB
  valueFrom: {secretKeyRef: {name: {{ .Release.Name }}-airflow-metadata, key: connection}}
- name: AIRFLOW__API__SECRET_KEY
  valueFrom: {secretKeyRef: {name: {{ include "t.fullname" . }}-api-secret-key, key: api-secret-key}}
- name: AIRFLOW__API_AUTH__JWT_SECRET
  valueFrom: {secretKeyRef: {name: {{ include "t.fullname" . }}-jwt-secret, key: jwt-secret}}
- name: AIRFLOW__CELERY__BROKER_URL
  valueFrom: {secretKeyRef: {name: {{ .Release.Name }}-broker-url, key: connection}}
{{- end }}
{{- define "t.mounts" -}}
- {name: config, mountPath: /opt/airflow/airflow.cfg, subPath: airflow.cfg, readOnly: true}
- {name: logs, mountPath: /opt/airflow/logs}
{{- end }}
{{- define "t.volumes" -}}
- name: config
  configMap: {name: {{ .Release.Name }}-config}
- name: logs
  emptyDir: {}
{{- end }}
{{- define "t.pod" -}}
{{- $ := index . 0 }}{{ $name := index . 1 }}{{ $values := index . 2 }}{{ $args := index . 3 }}
metadata:
  labels: {tier: airflow, component: {{ $name }}, release: {{ $.Release.Name }}}
spec:
  serviceAccountName: {{ include "t.fullname" $ }}-{{ $name }}
  securityContext: {runAsUser: 50000, fsGroup: 0}
  containers:
    - name: {{ $name }}
      image: {{ include "t.image" $ }}
      args: {{ toJson $args }}
      resources: {{ toJson $values.resources }}
      env: {{- include "t.env" $ | nindent 8 }}
      volumeMounts: {{- include "t.mounts" $ | nindent 8 }}
  volumes: {{- include "t.volumes" $ | nindent 4 }}
{{- end }}
