# Alarms: Lambda errors, throttles, p99 duration; DynamoDB throttles per
# table; DAX CPU, evictions and cache-hit rate; API 5xx. And one dashboard.

data "aws_region" "current" {}

locals {
  p99_threshold_ms = coalesce(var.lambda_p99_duration_threshold_ms, var.lambda_timeout_seconds * 1000 * 0.8)
  lambda_dims      = { FunctionName = var.lambda_function_name }
  dax_dims         = { ClusterId = coalesce(var.dax_cluster_name, "none") }
  api_dims         = { ApiId = var.api_id, Stage = var.api_stage }
  region           = data.aws_region.current.name
}

# ---- Lambda --------------------------------------------------------------------

resource "aws_cloudwatch_metric_alarm" "lambda_errors" {
  alarm_name          = "${var.name}-lambda-errors"
  alarm_description   = "The API function reported errors (unhandled or crashed invocations)."
  namespace           = "AWS/Lambda"
  metric_name         = "Errors"
  dimensions          = local.lambda_dims
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions
  ok_actions          = var.alarm_actions
  tags                = var.tags
}

resource "aws_cloudwatch_metric_alarm" "lambda_throttles" {
  alarm_name          = "${var.name}-lambda-throttles"
  alarm_description   = "Invocations of the API function were throttled (concurrency limit)."
  namespace           = "AWS/Lambda"
  metric_name         = "Throttles"
  dimensions          = local.lambda_dims
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions
  ok_actions          = var.alarm_actions
  tags                = var.tags
}

resource "aws_cloudwatch_metric_alarm" "lambda_p99_duration" {
  alarm_name          = "${var.name}-lambda-p99-duration"
  alarm_description   = "p99 duration of the API function is close to its timeout."
  namespace           = "AWS/Lambda"
  metric_name         = "Duration"
  dimensions          = local.lambda_dims
  extended_statistic  = "p99"
  period              = 300
  evaluation_periods  = 3
  datapoints_to_alarm = 2
  comparison_operator = "GreaterThanThreshold"
  threshold           = local.p99_threshold_ms
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions
  ok_actions          = var.alarm_actions
  tags                = var.tags
}

# ---- DynamoDB ------------------------------------------------------------------

resource "aws_cloudwatch_metric_alarm" "dynamodb_throttles" {
  for_each = var.dynamodb_table_names

  alarm_name          = "${var.name}-dynamodb-${each.key}-throttles"
  alarm_description   = "Reads or writes on ${each.value} were throttled."
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  evaluation_periods  = 1
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions
  ok_actions          = var.alarm_actions
  tags                = var.tags

  metric_query {
    id          = "throttles"
    expression  = "reads + writes"
    label       = "Throttle events"
    return_data = true
  }

  metric_query {
    id = "reads"
    metric {
      namespace   = "AWS/DynamoDB"
      metric_name = "ReadThrottleEvents"
      dimensions  = { TableName = each.value }
      stat        = "Sum"
      period      = 300
    }
  }

  metric_query {
    id = "writes"
    metric {
      namespace   = "AWS/DynamoDB"
      metric_name = "WriteThrottleEvents"
      dimensions  = { TableName = each.value }
      stat        = "Sum"
      period      = 300
    }
  }
}

# ---- DAX -----------------------------------------------------------------------

resource "aws_cloudwatch_metric_alarm" "dax_cpu" {
  count = var.enable_dax_alarms ? 1 : 0

  alarm_name          = "${var.name}-dax-cpu"
  alarm_description   = "DAX cluster CPU is high: add nodes or use a larger node type."
  namespace           = "AWS/DAX"
  metric_name         = "CPUUtilization"
  dimensions          = local.dax_dims
  statistic           = "Average"
  period              = 300
  evaluation_periods  = 3
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.dax_cpu_threshold_percent
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions
  ok_actions          = var.alarm_actions
  tags                = var.tags
}

resource "aws_cloudwatch_metric_alarm" "dax_evictions" {
  count = var.enable_dax_alarms ? 1 : 0

  alarm_name          = "${var.name}-dax-evictions"
  alarm_description   = "DAX keeps evicting entries before their TTL: the working set does not fit the node memory."
  namespace           = "AWS/DAX"
  metric_name         = "EvictedSize"
  dimensions          = local.dax_dims
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 3
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.dax_evicted_bytes_threshold
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions
  ok_actions          = var.alarm_actions
  tags                = var.tags
}

resource "aws_cloudwatch_metric_alarm" "dax_cache_hit_rate" {
  count = var.enable_dax_alarms ? 1 : 0

  alarm_name          = "${var.name}-dax-cache-hit-rate"
  alarm_description   = "DAX cache-hit rate is low (README, troubleshooting: writes bypassing DAX, strongly consistent reads, TTL 0)."
  comparison_operator = "LessThanThreshold"
  threshold           = var.dax_cache_hit_rate_threshold_percent
  evaluation_periods  = 3
  treat_missing_data  = "notBreaching" # no traffic is not a bad hit rate
  alarm_actions       = var.alarm_actions
  ok_actions          = var.alarm_actions
  tags                = var.tags

  metric_query {
    id          = "hit_rate"
    expression  = "100 * (item_hits + query_hits) / (item_hits + query_hits + item_misses + query_misses)"
    label       = "Cache-hit rate (%)"
    return_data = true
  }

  dynamic "metric_query" {
    for_each = {
      item_hits    = "ItemCacheHits"
      item_misses  = "ItemCacheMisses"
      query_hits   = "QueryCacheHits"
      query_misses = "QueryCacheMisses"
    }
    content {
      id = metric_query.key
      metric {
        namespace   = "AWS/DAX"
        metric_name = metric_query.value
        dimensions  = local.dax_dims
        stat        = "Sum"
        period      = 300
      }
    }
  }

  lifecycle {
    precondition {
      condition     = var.dax_cluster_name != null
      error_message = "enable_dax_alarms needs dax_cluster_name."
    }
  }
}

# ---- API Gateway ---------------------------------------------------------------

resource "aws_cloudwatch_metric_alarm" "api_5xx" {
  alarm_name          = "${var.name}-api-5xx"
  alarm_description   = "The HTTP API answered 5xx (function errors, timeouts or integration failures)."
  namespace           = "AWS/ApiGateway"
  metric_name         = "5xx"
  dimensions          = local.api_dims
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.api_5xx_threshold
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions
  ok_actions          = var.alarm_actions
  tags                = var.tags
}

# ---- dashboard -----------------------------------------------------------------

locals {
  widgets = concat(
    [
      {
        type = "metric", width = 12, height = 6
        properties = {
          title = "API requests and errors", region = local.region, stat = "Sum", period = 60
          metrics = [
            ["AWS/ApiGateway", "Count", "ApiId", var.api_id, "Stage", var.api_stage],
            ["AWS/ApiGateway", "4xx", "ApiId", var.api_id, "Stage", var.api_stage],
            ["AWS/ApiGateway", "5xx", "ApiId", var.api_id, "Stage", var.api_stage],
          ]
        }
      },
      {
        type = "metric", width = 12, height = 6
        properties = {
          title = "Lambda duration (ms)", region = local.region, period = 60
          metrics = [
            ["AWS/Lambda", "Duration", "FunctionName", var.lambda_function_name, { stat = "p50" }],
            ["AWS/Lambda", "Duration", "FunctionName", var.lambda_function_name, { stat = "p99" }],
          ]
        }
      },
      {
        type = "metric", width = 12, height = 6
        properties = {
          title = "Lambda invocations, errors, throttles", region = local.region, stat = "Sum", period = 60
          metrics = [
            ["AWS/Lambda", "Invocations", "FunctionName", var.lambda_function_name],
            ["AWS/Lambda", "Errors", "FunctionName", var.lambda_function_name],
            ["AWS/Lambda", "Throttles", "FunctionName", var.lambda_function_name],
            ["AWS/Lambda", "ConcurrentExecutions", "FunctionName", var.lambda_function_name, { stat = "Maximum" }],
          ]
        }
      },
      {
        type = "metric", width = 12, height = 6
        properties = {
          title = "DynamoDB consumed capacity and throttles", region = local.region, stat = "Sum", period = 60
          metrics = flatten([
            for t in values(var.dynamodb_table_names) : [
              ["AWS/DynamoDB", "ConsumedReadCapacityUnits", "TableName", t],
              ["AWS/DynamoDB", "ConsumedWriteCapacityUnits", "TableName", t],
              ["AWS/DynamoDB", "ReadThrottleEvents", "TableName", t],
              ["AWS/DynamoDB", "WriteThrottleEvents", "TableName", t],
            ]
          ])
        }
      },
    ],
    [for w in local.dax_widgets : w if var.enable_dax_alarms],
  )

  dax_widgets = [
    {
      type = "metric", width = 12, height = 6
      properties = {
        title = "DAX cache hits and misses", region = local.region, stat = "Sum", period = 60
        metrics = [
          for m in ["ItemCacheHits", "ItemCacheMisses", "QueryCacheHits", "QueryCacheMisses"] :
          ["AWS/DAX", m, "ClusterId", local.dax_dims.ClusterId]
        ]
      }
    },
    {
      type = "metric", width = 12, height = 6
      properties = {
        title = "DAX CPU, evictions, errors", region = local.region, period = 60
        metrics = [
          ["AWS/DAX", "CPUUtilization", "ClusterId", local.dax_dims.ClusterId, { stat = "Average" }],
          ["AWS/DAX", "EvictedSize", "ClusterId", local.dax_dims.ClusterId, { stat = "Sum", yAxis = "right" }],
          ["AWS/DAX", "ErrorRequestCount", "ClusterId", local.dax_dims.ClusterId, { stat = "Sum" }],
          ["AWS/DAX", "FaultRequestCount", "ClusterId", local.dax_dims.ClusterId, { stat = "Sum" }],
        ]
      }
    },
  ]
}

resource "aws_cloudwatch_dashboard" "this" {
  count = var.create_dashboard ? 1 : 0

  dashboard_name = var.name
  dashboard_body = jsonencode({ widgets = local.widgets })
}
