variable "name" {
  description = "Physical name of the table (the environment prefix included)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]{3,255}$", var.name))
    error_message = "A DynamoDB table name is 3 to 255 characters of A-Z, a-z, 0-9, '_', '-' and '.'."
  }
}

variable "hash_key" {
  description = "Partition key attribute name; it must appear in `attributes`."
  type        = string
}

variable "range_key" {
  description = "Sort key attribute name (null when the table has no sort key); it must appear in `attributes`."
  type        = string
  default     = null
}

variable "attributes" {
  description = "Key attributes of the table and of its indexes (only those: DynamoDB rejects unused attribute definitions). Type S, N or B."
  type        = list(object({ name = string, type = string }))

  validation {
    condition     = alltrue([for a in var.attributes : contains(["S", "N", "B"], a.type)])
    error_message = "Every attribute type must be S, N or B."
  }

  validation {
    condition     = length(distinct([for a in var.attributes : a.name])) == length(var.attributes)
    error_message = "Attribute names must be unique."
  }
}

variable "ttl_attribute_name" {
  description = "Name of the TTL attribute (epoch seconds); null disables TTL."
  type        = string
  default     = null
}

variable "global_secondary_indexes" {
  description = "Global secondary indexes. range_key may be null; non_key_attributes only with projection_type INCLUDE."
  type = list(object({
    name               = string
    hash_key           = string
    range_key          = string
    projection_type    = string
    non_key_attributes = list(string)
  }))
  default = []

  validation {
    condition     = alltrue([for i in var.global_secondary_indexes : contains(["ALL", "KEYS_ONLY", "INCLUDE"], i.projection_type)])
    error_message = "projection_type must be ALL, KEYS_ONLY or INCLUDE."
  }

  validation {
    condition     = length(var.global_secondary_indexes) <= 20
    error_message = "DynamoDB allows at most 20 global secondary indexes per table (default quota)."
  }
}

variable "local_secondary_indexes" {
  description = "Local secondary indexes (same partition key as the table; they can only be created with the table)."
  type = list(object({
    name               = string
    range_key          = string
    projection_type    = string
    non_key_attributes = list(string)
  }))
  default = []

  validation {
    condition     = alltrue([for i in var.local_secondary_indexes : contains(["ALL", "KEYS_ONLY", "INCLUDE"], i.projection_type)])
    error_message = "projection_type must be ALL, KEYS_ONLY or INCLUDE."
  }

  validation {
    condition     = length(var.local_secondary_indexes) <= 5
    error_message = "DynamoDB allows at most 5 local secondary indexes per table."
  }
}

variable "billing_mode" {
  description = "PAY_PER_REQUEST (on demand) or PROVISIONED."
  type        = string
  default     = "PAY_PER_REQUEST"

  validation {
    condition     = contains(["PAY_PER_REQUEST", "PROVISIONED"], var.billing_mode)
    error_message = "billing_mode must be PAY_PER_REQUEST or PROVISIONED."
  }
}

variable "read_capacity" {
  description = "Provisioned read capacity units of the table and of each GSI (PROVISIONED only; ignored otherwise)."
  type        = number
  default     = 0

  validation {
    condition     = var.read_capacity >= 0
    error_message = "read_capacity must not be negative."
  }
}

variable "write_capacity" {
  description = "Provisioned write capacity units of the table and of each GSI (PROVISIONED only; ignored otherwise)."
  type        = number
  default     = 0

  validation {
    condition     = var.write_capacity >= 0
    error_message = "write_capacity must not be negative."
  }
}

variable "autoscaling" {
  description = "Target-tracking auto scaling of read and write capacity, for the table and each GSI (PROVISIONED only)."
  type = object({
    enabled            = bool
    min_capacity       = number
    max_capacity       = number
    target_utilization = number
  })
  default = { enabled = false, min_capacity = 0, max_capacity = 0, target_utilization = 0 }

  validation {
    condition = !var.autoscaling.enabled || (
      var.autoscaling.min_capacity >= 1 &&
      var.autoscaling.max_capacity >= var.autoscaling.min_capacity &&
      var.autoscaling.target_utilization >= 20 && var.autoscaling.target_utilization <= 90
    )
    error_message = "With autoscaling enabled: 1 <= min_capacity <= max_capacity and target_utilization between 20 and 90 (percent)."
  }
}

variable "point_in_time_recovery_enabled" {
  description = "Enable point-in-time recovery (continuous backups, 35 days)."
  type        = bool
  default     = false
}

variable "deletion_protection_enabled" {
  description = "Refuse DeleteTable while true."
  type        = bool
  default     = false
}

variable "server_side_encryption_enabled" {
  description = "Encrypt at rest with a KMS key (the AWS managed aws/dynamodb key unless server_side_encryption_kms_key_arn is set). False still encrypts, with an AWS owned key."
  type        = bool
  default     = true
}

variable "server_side_encryption_kms_key_arn" {
  description = "Customer managed KMS key ARN for encryption at rest; null uses the AWS managed key."
  type        = string
  default     = null
}

variable "stream_enabled" {
  description = "Enable DynamoDB Streams. Forced on when replica_regions is not empty."
  type        = bool
  default     = false
}

variable "stream_view_type" {
  description = "Stream record content: KEYS_ONLY, NEW_IMAGE, OLD_IMAGE or NEW_AND_OLD_IMAGES. Global tables require NEW_AND_OLD_IMAGES."
  type        = string
  default     = "NEW_AND_OLD_IMAGES"

  validation {
    condition     = contains(["KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES"], var.stream_view_type)
    error_message = "stream_view_type must be KEYS_ONLY, NEW_IMAGE, OLD_IMAGE or NEW_AND_OLD_IMAGES."
  }
}

variable "replica_regions" {
  description = "Other regions holding a replica (DynamoDB global table, version 2019.11.21). Empty: a single-region table. Each replica region needs its own DAX cluster and Lambda (DAX does not replicate)."
  type        = list(string)
  default     = []

  validation {
    condition     = length(distinct(var.replica_regions)) == length(var.replica_regions)
    error_message = "replica_regions must not repeat a region."
  }

  validation {
    condition     = alltrue([for r in var.replica_regions : can(regex("^[a-z]{2}(-gov)?-[a-z]+-[0-9]$", r))])
    error_message = "Each replica region must be a region name such as eu-west-1."
  }
}

variable "replica_kms_key_arns" {
  description = "Customer managed KMS key ARN per replica region (a KMS key is regional); regions not listed use the AWS managed key."
  type        = map(string)
  default     = {}
}

variable "table_class" {
  description = "STANDARD or STANDARD_INFREQUENT_ACCESS."
  type        = string
  default     = "STANDARD"

  validation {
    condition     = contains(["STANDARD", "STANDARD_INFREQUENT_ACCESS"], var.table_class)
    error_message = "table_class must be STANDARD or STANDARD_INFREQUENT_ACCESS."
  }
}

variable "tags" {
  description = "Tags for every resource of the module."
  type        = map(string)
  default     = {}
}
