variable "region" {
  description = "Region of the state bucket and lock table."
  type        = string
  default     = "us-east-1"
}

variable "name_prefix" {
  description = "Prefix of the bucket and table names."
  type        = string
  default     = "dynagen"

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9-]{1,30}$", var.name_prefix))
    error_message = "name_prefix must be 2 to 31 lowercase letters, digits and hyphens."
  }
}

variable "state_bucket_name" {
  description = "Name of the state bucket; null: <name_prefix>-tfstate-<account id>-<region> (bucket names are global)."
  type        = string
  default     = null

  validation {
    condition     = var.state_bucket_name == null || can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.state_bucket_name))
    error_message = "state_bucket_name must be a valid S3 bucket name."
  }
}

variable "lock_table_name" {
  description = "Name of the DynamoDB lock table; null: <name_prefix>-tflock."
  type        = string
  default     = null
}

variable "kms_key_arn" {
  description = "Customer managed KMS key for the state bucket; null uses the AWS managed aws/s3 key."
  type        = string
  default     = null
}

variable "noncurrent_version_expiration_days" {
  description = "Days to keep superseded state versions."
  type        = number
  default     = 90

  validation {
    condition     = var.noncurrent_version_expiration_days >= 1
    error_message = "noncurrent_version_expiration_days must be at least 1."
  }
}

variable "environments" {
  description = "Environments whose backend configuration is output (state key dynagen/<env>/terraform.tfstate)."
  type        = list(string)
  default     = ["dev", "staging", "prod"]
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = { Project = "dynagen", ManagedBy = "terraform", Stack = "bootstrap" }
}
