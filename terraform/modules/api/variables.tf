variable "name" {
  description = "Name of the HTTP API."
  type        = string
}

variable "routes" {
  description = "Route keys the generator emits (\"GET /products/{id}\", ...), all integrated with the one Lambda function. A route may appear once."
  type        = list(string)

  validation {
    condition     = alltrue([for r in var.routes : can(regex("^(ANY|GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) /[A-Za-z0-9_./{}+-]*$", r))])
    error_message = "Each route must be \"<METHOD> /path\" with METHOD one of ANY, GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS."
  }

  validation {
    condition     = length(distinct(var.routes)) == length(var.routes)
    error_message = "A route key appears twice: two tables of the schema claim the same route."
  }
}

variable "lambda_function_name" {
  description = "Function API Gateway may invoke."
  type        = string
}

variable "lambda_invoke_arn" {
  description = "Invoke ARN of the function."
  type        = string
}

variable "stage_name" {
  description = "Stage name; $default serves the API at the root of its endpoint."
  type        = string
  default     = "$default"
}

variable "throttling_burst_limit" {
  description = "Stage-wide burst limit (requests)."
  type        = number
  default     = 200

  validation {
    condition     = var.throttling_burst_limit >= 0
    error_message = "throttling_burst_limit must not be negative."
  }
}

variable "throttling_rate_limit" {
  description = "Stage-wide steady rate limit (requests per second)."
  type        = number
  default     = 100

  validation {
    condition     = var.throttling_rate_limit >= 0
    error_message = "throttling_rate_limit must not be negative."
  }
}

variable "access_log_retention_in_days" {
  description = "Retention of the access log group."
  type        = number
  default     = 14

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.access_log_retention_in_days)
    error_message = "access_log_retention_in_days must be a value CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, ...)."
  }
}

variable "jwt_authorizer" {
  description = "Optional JWT authorizer (Cognito or any OIDC issuer) applied to every route; null leaves the API open."
  type = object({
    issuer           = string
    audience         = list(string)
    identity_sources = optional(list(string), ["$request.header.Authorization"])
  })
  default = null

  validation {
    condition     = var.jwt_authorizer == null || startswith(try(var.jwt_authorizer.issuer, ""), "https://")
    error_message = "jwt_authorizer.issuer must be an https:// URL."
  }
}

variable "cors" {
  description = "Optional CORS configuration; null disables CORS."
  type = object({
    allow_origins = list(string)
    allow_methods = optional(list(string), ["GET", "POST", "PUT", "DELETE"])
    allow_headers = optional(list(string), ["content-type", "authorization"])
    max_age       = optional(number, 300)
  })
  default = null
}

variable "tags" {
  description = "Tags for every resource of the module."
  type        = map(string)
  default     = {}
}
