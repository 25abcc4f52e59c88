# The table model (generated) and the environment's settings (hand-written in
# envs/<env>/terraform.tfvars). The optional settings are not nullable: a root
# passing null (its own default) gets the default here, so every default lives
# in this file.

variable "tables" {
  description = "Every table of the schema, keyed by entity: the root's local.dynagen_tables (dynagen_tables.tf + <table>.auto.tfvars, written by `make generate`). Same object type as the generated variables."
  type = map(object({
    name           = string
    hash_key       = string
    hash_key_type  = string
    range_key      = string
    range_key_type = string
    attributes     = list(object({ name = string, type = string }))
    ttl_attribute  = string
    global_secondary_indexes = list(object({
      name               = string
      hash_key           = string
      range_key          = string
      projection_type    = string
      non_key_attributes = list(string)
    }))
    local_secondary_indexes = list(object({
      name               = string
      range_key          = string
      projection_type    = string
      non_key_attributes = list(string)
    }))
    billing_mode           = string
    read_capacity          = number
    write_capacity         = number
    autoscaling            = object({ enabled = bool, min_capacity = number, max_capacity = number, target_utilization = number })
    point_in_time_recovery = bool
    deletion_protection    = bool
    cache                  = object({ reads = string, writes = string, item_ttl_ms = number, query_ttl_ms = number })
    dax                    = object({ node_type = string, nodes = number, tls = bool })
    dynamodb_actions       = list(string)
    dax_actions            = list(string)
    api_routes             = list(string)
  }))
}

variable "environment" {
  description = "Environment name."
  type        = string

  validation {
    condition     = contains(["dev", "staging", "prod"], var.environment)
    error_message = "environment must be dev, staging or prod."
  }
}

variable "name_prefix" {
  description = "Prefix of every resource name; <name_prefix>-<environment> must stay within 20 characters (DAX cluster names)."
  type        = string
  default     = "dynagen"
  nullable    = false

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,11}$", var.name_prefix))
    error_message = "name_prefix must be 2 to 12 lowercase letters, digits and hyphens, starting with a letter."
  }
}

variable "availability_zones" {
  description = "Availability zones of the subnets (and of the DAX nodes)."
  type        = list(string)
}

variable "vpc_cidr" {
  description = "CIDR block of the VPC."
  type        = string
}

variable "public_subnet_cidrs" {
  description = "Public subnet CIDR per AZ (NAT gateways)."
  type        = list(string)
}

variable "private_subnet_cidrs" {
  description = "Private subnet CIDR per AZ (Lambda ENIs, DAX nodes)."
  type        = list(string)
}

variable "single_nat_gateway" {
  description = "One shared NAT gateway (true) or one per AZ (false)."
  type        = bool
}

variable "lambda_package_path" {
  description = "Deployment zip of the function; null: dist/lambda.zip at the repository root (built by `make package`), found from the root module at envs/<env>."
  type        = string
  default     = null
}

variable "lambda_architecture" {
  description = "Architecture the bootstrap binary was built for: x86_64 or arm64."
  type        = string
  default     = "x86_64"
  nullable    = false
}

variable "lambda_memory_size" {
  description = "Memory of the function in MB."
  type        = number
}

variable "lambda_timeout" {
  description = "Timeout of the function in seconds."
  type        = number
  default     = 10
  nullable    = false
}

variable "lambda_reserved_concurrency" {
  description = "Reserved concurrency of the function; -1 for none."
  type        = number
  default     = -1
  nullable    = false
}

variable "log_retention_in_days" {
  description = "Retention of the function and API access log groups."
  type        = number
}

variable "api_throttling_burst_limit" {
  description = "API stage burst limit."
  type        = number
}

variable "api_throttling_rate_limit" {
  description = "API stage rate limit (requests per second)."
  type        = number
}

variable "jwt_authorizer" {
  description = "Optional JWT authorizer on every route; null leaves the API open."
  type = object({
    issuer   = string
    audience = list(string)
  })
  default = null
}

variable "replica_regions" {
  description = "Regions with a replica of every table (DynamoDB global tables). Each needs its own stack there for DAX and the Lambda (README, multi-region)."
  type        = list(string)
  default     = []
  nullable    = false
}

variable "alarm_actions" {
  description = "SNS topic ARNs notified by the alarms."
  type        = list(string)
  default     = []
  nullable    = false
}
