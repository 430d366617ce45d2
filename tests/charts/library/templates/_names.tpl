{{- define "helpers.greeting" -}}hello from the parent{{- end -}}
