# Hand-written settings of prod. Table settings come from products.auto.tfvars (generated).
environment = "prod"
region      = "us-east-1"
name_prefix = "dynagen"

availability_zones   = ["us-east-1a", "us-east-1b", "us-east-1c"]
vpc_cidr             = "10.30.0.0/16"
public_subnet_cidrs  = ["10.30.0.0/24", "10.30.1.0/24", "10.30.2.0/24"]
private_subnet_cidrs = ["10.30.10.0/24", "10.30.11.0/24", "10.30.12.0/24"]
single_nat_gateway   = false # one NAT gateway per AZ: an AZ outage leaves the others routed

lambda_memory_size    = 1024
lambda_timeout        = 10
log_retention_in_days = 90

api_throttling_burst_limit = 1000
api_throttling_rate_limit  = 500
