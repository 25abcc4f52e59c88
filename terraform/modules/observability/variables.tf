variable "name" {
  description = "Name prefix of the alarms and the dashboard."
  type        = string
}

variable "lambda_function_name" {
  description = "Function to watch."
  type        = string
}

variable "lambda_timeout_seconds" {
  description = "The function's timeout; the default p99 duration threshold is 80% of it."
  type        = number
  default     = 10
}

variable "lambda_p99_duration_threshold_ms" {
  description = "Alarm when the p99 duration exceeds this (ms); null: 80% of lambda_timeout_seconds."
  type        = number
  default     = null
}

variable "dynamodb_table_names" {
  description = "Tables to watch, keyed by entity (static keys)."
  type        = map(string)
}

variable "enable_dax_alarms" {
  description = "Create the DAX alarms and widgets (a plain bool, known at plan time)."
  type        = bool
  default     = false
}

variable "dax_cluster_name" {
  description = "DAX cluster to watch (the ClusterId dimension); required when enable_dax_alarms."
  type        = string
  default     = null
}

variable "dax_cpu_threshold_percent" {
  description = "Alarm when the DAX cluster's average CPU exceeds this."
  type        = number
  default     = 70
}

variable "dax_cache_hit_rate_threshold_percent" {
  description = "Alarm when (item + query cache hits) / (hits + misses) stays below this while there is traffic."
  type        = number
  default     = 50

  validation {
    condition     = var.dax_cache_hit_rate_threshold_percent >= 0 && var.dax_cache_hit_rate_threshold_percent <= 100
    error_message = "dax_cache_hit_rate_threshold_percent is a percentage (0-100)."
  }
}

variable "dax_evicted_bytes_threshold" {
  description = "Alarm when DAX evicts more than this many bytes per 5 minutes, 3 periods running (the cache is too small for the working set)."
  type        = number
  default     = 0
}

variable "api_id" {
  description = "HTTP API to watch."
  type        = string
}

variable "api_stage" {
  description = "Stage of the HTTP API."
  type        = string
  default     = "$default"
}

variable "api_5xx_threshold" {
  description = "Alarm when the API answers more 5xx than this in 5 minutes."
  type        = number
  default     = 5
}

variable "alarm_actions" {
  description = "SNS topic ARNs notified on alarm and on recovery."
  type        = list(string)
  default     = []
}

variable "create_dashboard" {
  description = "Create the CloudWatch dashboard."
  type        = bool
  default     = true
}

variable "tags" {
  description = "Tags for every resource of the module."
  type        = map(string)
  default     = {}
}
