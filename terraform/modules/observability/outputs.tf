output "alarm_names" {
  description = "Names of every alarm created."
  value = concat(
    [
      aws_cloudwatch_metric_alarm.lambda_errors.alarm_name,
      aws_cloudwatch_metric_alarm.lambda_throttles.alarm_name,
      aws_cloudwatch_metric_alarm.lambda_p99_duration.alarm_name,
      aws_cloudwatch_metric_alarm.api_5xx.alarm_name,
    ],
    [for a in aws_cloudwatch_metric_alarm.dynamodb_throttles : a.alarm_name],
    aws_cloudwatch_metric_alarm.dax_cpu[*].alarm_name,
    aws_cloudwatch_metric_alarm.dax_evictions[*].alarm_name,
    aws_cloudwatch_metric_alarm.dax_cache_hit_rate[*].alarm_name,
  )
}

output "dashboard_name" {
  description = "Name of the dashboard; null when not created."
  value       = try(aws_cloudwatch_dashboard.this[0].dashboard_name, null)
}
