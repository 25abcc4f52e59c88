# Plans the alarms and dashboard with a mock AWS provider.

mock_provider "aws" {
  mock_data "aws_region" {
    defaults = { name = "us-east-1" }
  }
}

variables {
  name                   = "test-dev"
  lambda_function_name   = "test-api"
  lambda_timeout_seconds = 10
  dynamodb_table_names   = { product = "test-dev-Products" }
  enable_dax_alarms      = true
  dax_cluster_name       = "test-dev"
  api_id                 = "abc123"
}

run "alarms_with_dax" {
  command = plan

  assert {
    condition     = aws_cloudwatch_metric_alarm.lambda_errors.metric_name == "Errors" && aws_cloudwatch_metric_alarm.lambda_throttles.metric_name == "Throttles"
    error_message = "Lambda errors and throttles alarms."
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.lambda_p99_duration.extended_statistic == "p99" && aws_cloudwatch_metric_alarm.lambda_p99_duration.threshold == 8000
    error_message = "p99 duration alarm at 80% of the 10 s timeout."
  }

  assert {
    condition     = toset([for q in aws_cloudwatch_metric_alarm.dynamodb_throttles["product"].metric_query : q.metric[0].metric_name if length(q.metric) > 0]) == toset(["ReadThrottleEvents", "WriteThrottleEvents"])
    error_message = "DynamoDB throttle alarm sums read and write throttle events."
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.dax_cpu[0].metric_name == "CPUUtilization" && aws_cloudwatch_metric_alarm.dax_cpu[0].dimensions == tomap({ ClusterId = "test-dev" })
    error_message = "DAX CPU alarm on the cluster."
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.dax_evictions[0].metric_name == "EvictedSize"
    error_message = "DAX evictions alarm."
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.dax_cache_hit_rate[0].comparison_operator == "LessThanThreshold" && toset([for q in aws_cloudwatch_metric_alarm.dax_cache_hit_rate[0].metric_query : q.metric[0].metric_name if length(q.metric) > 0]) == toset(["ItemCacheHits", "ItemCacheMisses", "QueryCacheHits", "QueryCacheMisses"])
    error_message = "DAX cache-hit rate alarm from item and query hits and misses."
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.api_5xx.metric_name == "5xx" && aws_cloudwatch_metric_alarm.api_5xx.dimensions == tomap({ ApiId = "abc123", Stage = "$default" })
    error_message = "API 5xx alarm on the stage."
  }

  assert {
    condition     = length(jsondecode(aws_cloudwatch_dashboard.this[0].dashboard_body).widgets) == 6
    error_message = "Dashboard: API, Lambda x2, DynamoDB, DAX x2."
  }
}

run "alarms_without_dax" {
  command = plan

  variables {
    enable_dax_alarms = false
    dax_cluster_name  = null
  }

  assert {
    condition     = length(aws_cloudwatch_metric_alarm.dax_cpu) + length(aws_cloudwatch_metric_alarm.dax_evictions) + length(aws_cloudwatch_metric_alarm.dax_cache_hit_rate) == 0
    error_message = "No DAX alarms without DAX."
  }

  assert {
    condition     = length(jsondecode(aws_cloudwatch_dashboard.this[0].dashboard_body).widgets) == 4
    error_message = "Dashboard without the DAX widgets."
  }
}
