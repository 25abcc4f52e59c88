# prod-shaped input of the stack tests: one NAT gateway per AZ, a provisioned
# autoscaled table with PITR and deletion protection on a three-node TLS
# cluster, and audit_event, a table without API routes that does not cache
# (no DAX actions, not in the cluster's tables).
environment = "prod"
name_prefix = "dynagen"

availability_zones   = ["us-east-1a", "us-east-1b", "us-east-1c"]
vpc_cidr             = "10.30.0.0/16"
public_subnet_cidrs  = ["10.30.0.0/24", "10.30.1.0/24", "10.30.2.0/24"]
private_subnet_cidrs = ["10.30.10.0/24", "10.30.11.0/24", "10.30.12.0/24"]
single_nat_gateway   = false

lambda_memory_size    = 1024
lambda_timeout        = 10
log_retention_in_days = 90

api_throttling_burst_limit = 1000
api_throttling_rate_limit  = 500

tables = {
  product = {
    name           = "Products"
    hash_key       = "ProductID"
    hash_key_type  = "S"
    range_key      = "Version"
    range_key_type = "N"
    attributes = [
      { name = "Category", type = "S" },
      { name = "Price", type = "N" },
      { name = "ProductID", type = "S" },
      { name = "Version", type = "N" },
    ]
    ttl_attribute = "ExpiresAt"
    global_secondary_indexes = [
      { name = "CategoryIndex", hash_key = "Category", range_key = "Price", projection_type = "ALL", non_key_attributes = [] },
    ]
    local_secondary_indexes = []
    billing_mode            = "PROVISIONED"
    read_capacity           = 50
    write_capacity          = 25
    autoscaling             = { enabled = true, min_capacity = 25, max_capacity = 500, target_utilization = 70 }
    point_in_time_recovery  = true
    deletion_protection     = true
    cache                   = { reads = "dax", writes = "dax", item_ttl_ms = 300000, query_ttl_ms = 60000 }
    dax                     = { node_type = "dax.r5.large", nodes = 3, tls = true }
    dynamodb_actions        = ["dynamodb:GetItem", "dynamodb:Query"]
    dax_actions             = ["dax:DeleteItem", "dax:GetItem", "dax:PutItem", "dax:Query"]
    api_routes              = ["DELETE /products/{id}", "GET /products", "GET /products/{id}", "POST /products", "PUT /products/{id}"]
  }
  audit_event = {
    name           = "AuditEvents"
    hash_key       = "EventID"
    hash_key_type  = "S"
    range_key      = null
    range_key_type = null
    attributes = [
      { name = "EventID", type = "S" },
    ]
    ttl_attribute            = "ExpiresAt"
    global_secondary_indexes = []
    local_secondary_indexes  = []
    billing_mode             = "PAY_PER_REQUEST"
    read_capacity            = 0
    write_capacity           = 0
    autoscaling              = { enabled = false, min_capacity = 0, max_capacity = 0, target_utilization = 0 }
    point_in_time_recovery   = true
    deletion_protection      = true
    cache                    = { reads = "dynamodb", writes = "dynamodb", item_ttl_ms = 300000, query_ttl_ms = 300000 }
    dax                      = { node_type = "", nodes = 0, tls = false }
    dynamodb_actions         = ["dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:PutItem"]
    dax_actions              = []
    api_routes               = []
  }
}
