variable "name" {
  description = "Cluster name (also names the subnet group, parameter group, security group and role)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,19}$", var.name)) && !endswith(var.name, "-") && !strcontains(var.name, "--")
    error_message = "A DAX cluster name is 1 to 20 lowercase letters, digits and single hyphens, starting with a letter and not ending with a hyphen."
  }
}

variable "node_type" {
  description = "Node type, e.g. dax.t3.small or dax.r5.large."
  type        = string

  validation {
    condition     = can(regex("^dax\\.[a-z0-9]+\\.[a-z0-9]+$", var.node_type))
    error_message = "node_type must look like dax.<family>.<size>, e.g. dax.r5.large."
  }
}

variable "nodes" {
  description = "Number of nodes (replication factor): 1 to 11. Three or more, over three AZs, for production."
  type        = number

  validation {
    condition     = var.nodes >= 1 && var.nodes <= 11 && floor(var.nodes) == var.nodes
    error_message = "nodes must be a whole number from 1 to 11."
  }
}

variable "tls" {
  description = "Encrypt in transit: clients connect with daxs:// on port 9111 instead of dax:// on 8111. Cannot be changed on an existing cluster."
  type        = bool
}

variable "item_ttl_ms" {
  description = "Item cache TTL in milliseconds (DAX record-ttl-millis), from the schema's cache policy. 0 disables expiry by time (items leave only by LRU eviction or a write through DAX)."
  type        = number

  validation {
    condition     = var.item_ttl_ms >= 0 && floor(var.item_ttl_ms) == var.item_ttl_ms
    error_message = "item_ttl_ms must be a whole number of milliseconds, 0 or more."
  }
}

variable "query_ttl_ms" {
  description = "Query cache TTL in milliseconds (DAX query-ttl-millis), from the schema's cache policy: the acceptable staleness of Query and Scan results."
  type        = number

  validation {
    condition     = var.query_ttl_ms >= 0 && floor(var.query_ttl_ms) == var.query_ttl_ms
    error_message = "query_ttl_ms must be a whole number of milliseconds, 0 or more."
  }
}

variable "vpc_id" {
  description = "VPC of the cluster's security group."
  type        = string
}

variable "subnet_ids" {
  description = "Private subnets of the subnet group (DAX places nodes across their AZs)."
  type        = list(string)

  validation {
    condition     = length(var.subnet_ids) >= 1
    error_message = "Give at least one subnet."
  }
}

variable "client_security_group_ids" {
  description = "Security groups of the clients (the Lambda): only they may reach the cluster port. An egress rule to the cluster is added to each."
  type        = list(string)
}

variable "table_arns" {
  description = "Tables the cluster caches: the DAX service role may reach only these (and their indexes)."
  type        = list(string)
}

variable "dynamodb_actions" {
  description = "DynamoDB actions DAX performs for its clients: the dax:* data actions of the tables, as dynamodb:*. dynamodb:DescribeTable is always added (DAX reads the key schema)."
  type        = list(string)

  validation {
    condition     = alltrue([for a in var.dynamodb_actions : can(regex("^dynamodb:[A-Za-z]+$", a))])
    error_message = "Every action must be a single dynamodb:<Action> (no wildcards)."
  }
}

variable "maintenance_window" {
  description = "Weekly maintenance window (UTC), ddd:hh24:mi-ddd:hh24:mi; null lets AWS choose."
  type        = string
  default     = null
}

variable "notification_topic_arn" {
  description = "SNS topic for cluster events; null for none."
  type        = string
  default     = null
}

variable "tags" {
  description = "Tags for every resource of the module."
  type        = map(string)
  default     = {}
}
