# Hand-written environment settings, valued in terraform.tfvars. Their
# descriptions, validation and the defaults of the optional ones (null here)
# are in modules/stack/variables.tf. Table facts (keys, indexes, TTL,
# capacities, DAX sizing, IAM actions, routes) never go here: they come from
# the generated dynagen_tables.tf and <table>.auto.tfvars.

variable "region" {
  description = "AWS region of the stack."
  type        = string
}

variable "tags" {
  description = "Extra tags for every resource (Project, Environment and ManagedBy are always set)."
  type        = map(string)
  default     = {}
}

variable "environment" { type = string }
variable "availability_zones" { type = list(string) }
variable "vpc_cidr" { type = string }
variable "public_subnet_cidrs" { type = list(string) }
variable "private_subnet_cidrs" { type = list(string) }
variable "single_nat_gateway" { type = bool }
variable "lambda_memory_size" { type = number }
variable "log_retention_in_days" { type = number }
variable "api_throttling_burst_limit" { type = number }
variable "api_throttling_rate_limit" { type = number }

# Optional: null takes the stack's default.
variable "name_prefix" {
  type    = string
  default = null
}

variable "lambda_timeout" {
  type    = number
  default = null
}

variable "lambda_package_path" {
  type    = string
  default = null
}

variable "lambda_architecture" {
  type    = string
  default = null
}

variable "lambda_reserved_concurrency" {
  type    = number
  default = null
}

variable "jwt_authorizer" {
  type    = object({ issuer = string, audience = list(string) })
  default = null
}

variable "replica_regions" {
  type    = list(string)
  default = null
}

variable "alarm_actions" {
  type    = list(string)
  default = null
}
