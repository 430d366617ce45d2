{{- define "validate.replicas" -}}
{{- if and (eq .Values.architecture "standalone") (gt (int .Values.replicaCount) 1) -}}
validate: replicaCount
    The standalone architecture runs one replica.
    Set --set replicaCount=1 or --set architecture=replication
{{- end -}}
{{- end -}}

{{- define "validate.values" -}}
{{- $messages := list (include "validate.replicas" .) -}}
{{- $messages := without $messages "" -}}
{{- $message := join "\n" $messages -}}
{{- if $message -}}
{{- printf "\nVALUES VALIDATION:\n%s" $message | fail -}}
{{- end -}}
{{- end -}}
