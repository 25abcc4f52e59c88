variable "function_name" {
  description = "Name of the function."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,64}$", var.function_name))
    error_message = "A Lambda function name is 1 to 64 characters of A-Z, a-z, 0-9, '-' and '_'."
  }
}

variable "description" {
  description = "Description of the function."
  type        = string
  default     = "dynagen API (generated C, provided.al2023)"
}

variable "package_path" {
  description = "Path of the deployment zip holding the `bootstrap` executable (dist/lambda.zip, built by `make package`)."
  type        = string

  validation {
    condition     = endswith(var.package_path, ".zip") && fileexists(var.package_path)
    error_message = "package_path must be an existing .zip; build it with `make package` (dist/lambda.zip)."
  }
}

variable "architecture" {
  description = "Instruction set the bootstrap binary was built for: x86_64 or arm64."
  type        = string
  default     = "x86_64"

  validation {
    condition     = contains(["x86_64", "arm64"], var.architecture)
    error_message = "architecture must be x86_64 or arm64."
  }
}

variable "memory_size" {
  description = "Memory in MB (CPU grows with it): 128 to 10240."
  type        = number
  default     = 256

  validation {
    condition     = var.memory_size >= 128 && var.memory_size <= 10240
    error_message = "memory_size must be between 128 and 10240 MB."
  }
}

variable "timeout" {
  description = "Timeout in seconds: 1 to 900 (API Gateway gives up after 30)."
  type        = number
  default     = 10

  validation {
    condition     = var.timeout >= 1 && var.timeout <= 900
    error_message = "timeout must be between 1 and 900 seconds."
  }
}

variable "reserved_concurrent_executions" {
  description = "Reserved concurrency; -1 for none (the account's unreserved pool), 0 disables the function."
  type        = number
  default     = -1

  validation {
    condition     = var.reserved_concurrent_executions >= -1
    error_message = "reserved_concurrent_executions must be -1 or more."
  }
}

variable "role_arn" {
  description = "Execution role (modules/iam)."
  type        = string
}

variable "environment_variables" {
  description = "Environment of the function (TABLE_NAME, DAX_ENDPOINT, ...)."
  type        = map(string)
  default     = {}
}

variable "attach_to_vpc" {
  description = "Run the function in the VPC (required to reach DAX): a security group is created in vpc_id and ENIs in subnet_ids."
  type        = bool
  default     = true
}

variable "vpc_id" {
  description = "VPC of the function's security group (when attach_to_vpc)."
  type        = string
  default     = null
}

variable "subnet_ids" {
  description = "Private subnets for the function's ENIs (at least two AZs)."
  type        = list(string)
  default     = []
}

variable "log_retention_in_days" {
  description = "Retention of the function's log group."
  type        = number
  default     = 14

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_in_days)
    error_message = "log_retention_in_days must be a value CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, ...)."
  }
}

variable "tracing_mode" {
  description = "X-Ray tracing: PassThrough or Active."
  type        = string
  default     = "PassThrough"

  validation {
    condition     = contains(["PassThrough", "Active"], var.tracing_mode)
    error_message = "tracing_mode must be PassThrough or Active."
  }
}

variable "tags" {
  description = "Tags for every resource of the module."
  type        = map(string)
  default     = {}
}
