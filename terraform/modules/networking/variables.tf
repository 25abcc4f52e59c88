variable "name" {
  description = "Name prefix for every resource (e.g. dynagen-dev)."
  type        = string
}

variable "cidr" {
  description = "IPv4 CIDR block of the VPC."
  type        = string

  validation {
    condition     = can(cidrnetmask(var.cidr))
    error_message = "cidr must be an IPv4 CIDR block such as 10.0.0.0/16."
  }
}

variable "azs" {
  description = "Availability zones to spread the subnets over (one public and one private subnet in each)."
  type        = list(string)

  validation {
    condition     = length(var.azs) >= 2
    error_message = "Use at least two availability zones (Lambda and DAX subnet groups want two)."
  }
}

variable "public_subnets" {
  description = "CIDR of the public subnet in each AZ, in the order of azs."
  type        = list(string)

  validation {
    condition     = alltrue([for c in var.public_subnets : can(cidrnetmask(c))])
    error_message = "Every public subnet must be an IPv4 CIDR block."
  }
}

variable "private_subnets" {
  description = "CIDR of the private subnet in each AZ, in the order of azs (Lambda ENIs and DAX nodes live here)."
  type        = list(string)

  validation {
    condition     = alltrue([for c in var.private_subnets : can(cidrnetmask(c))])
    error_message = "Every private subnet must be an IPv4 CIDR block."
  }
}

variable "enable_nat_gateway" {
  description = "Give the private subnets outbound internet access through NAT gateways."
  type        = bool
  default     = true
}

variable "single_nat_gateway" {
  description = "One NAT gateway shared by every AZ (cheap, one AZ is a single point of failure) instead of one per AZ."
  type        = bool
  default     = false
}

variable "enable_dynamodb_endpoint" {
  description = "Create a gateway VPC endpoint for DynamoDB on the private route tables, so table traffic does not cross the NAT (and is not billed by it)."
  type        = bool
  default     = true
}

variable "tags" {
  description = "Tags for every resource of the module."
  type        = map(string)
  default     = {}
}
