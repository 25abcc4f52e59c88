variable "name" {
  description = "Name of the Lambda execution role."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9+=,.@_-]{1,64}$", var.name))
    error_message = "An IAM role name is 1 to 64 characters of A-Z, a-z, 0-9 and +=,.@_-."
  }
}

variable "dynamodb_tables" {
  description = "Per table (keyed by entity): its ARN, its index names, and the DynamoDB actions its generated accessors use. Each table gets its own statement."
  type = map(object({
    arn         = string
    index_names = list(string)
    actions     = list(string)
  }))

  validation {
    condition     = alltrue(flatten([for t in var.dynamodb_tables : [for a in t.actions : can(regex("^dynamodb:[A-Za-z]+$", a))]]))
    error_message = "Every DynamoDB action must be a single dynamodb:<Action> (no wildcards)."
  }
}

variable "dax_cluster_arns" {
  description = "DAX clusters the function may call (empty when no table reads or writes through DAX)."
  type        = list(string)
  default     = []
}

variable "dax_actions" {
  description = "DAX actions the generated accessors use (union over the tables)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for a in var.dax_actions : can(regex("^dax:[A-Za-z]+$", a))])
    error_message = "Every DAX action must be a single dax:<Action> (no wildcards)."
  }
}

variable "log_group_name" {
  description = "Name of the function's CloudWatch log group, /aws/lambda/<function> (created by the lambda module, so no logs:CreateLogGroup). The ARN is built here so the role and its policy exist before the function."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_./#-]{1,512}$", var.log_group_name))
    error_message = "log_group_name must be a CloudWatch Logs group name."
  }
}

variable "enable_vpc_access" {
  description = "Allow the Lambda service to manage the function's ENIs in the VPC."
  type        = bool
  default     = true
}

variable "tags" {
  description = "Tags for every resource of the module."
  type        = map(string)
  default     = {}
}
