# staging-shaped input of the stack tests: three AZs sharing one NAT gateway,
# two tables on one two-node TLS cluster. order_line caches reads only, with
# shorter item and longer query TTLs than product (the parameter group takes
# the smallest of each), has a range-less GSI, an LSI projecting INCLUDE
# attributes and no TTL, and a multi-word entity (IAM Sid DynamoDBOrderLine).
environment = "staging"
name_prefix = "dynagen"

availability_zones   = ["us-east-1a", "us-east-1b", "us-east-1c"]
vpc_cidr             = "10.20.0.0/16"
public_subnet_cidrs  = ["10.20.0.0/24", "10.20.1.0/24", "10.20.2.0/24"]
private_subnet_cidrs = ["10.20.10.0/24", "10.20.11.0/24", "10.20.12.0/24"]
single_nat_gateway   = true

lambda_memory_size    = 512
lambda_timeout        = 10
log_retention_in_days = 14

api_throttling_burst_limit = 200
api_throttling_rate_limit  = 100

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
    billing_mode            = "PAY_PER_REQUEST"
    read_capacity           = 0
    write_capacity          = 0
    autoscaling             = { enabled = false, min_capacity = 0, max_capacity = 0, target_utilization = 0 }
    point_in_time_recovery  = true
    deletion_protection     = false
    cache                   = { reads = "dax", writes = "dax", item_ttl_ms = 300000, query_ttl_ms = 60000 }
    dax                     = { node_type = "dax.r5.large", nodes = 2, tls = true }
    dynamodb_actions        = ["dynamodb:GetItem", "dynamodb:Query"]
    dax_actions             = ["dax:DeleteItem", "dax:GetItem", "dax:PutItem", "dax:Query"]
    api_routes              = ["DELETE /products/{id}", "GET /products", "GET /products/{id}", "POST /products", "PUT /products/{id}"]
  }
  order_line = {
    name           = "OrderLines"
    hash_key       = "OrderID"
    hash_key_type  = "S"
    range_key      = "LineNo"
    range_key_type = "N"
    attributes = [
      { name = "LineNo", type = "N" },
      { name = "OrderID", type = "S" },
      { name = "PlacedAt", type = "S" },
      { name = "Sku", type = "S" },
    ]
    ttl_attribute = null
    global_secondary_indexes = [
      { name = "SkuIndex", hash_key = "Sku", range_key = null, projection_type = "KEYS_ONLY", non_key_attributes = [] },
    ]
    local_secondary_indexes = [
      { name = "PlacedAtIndex", range_key = "PlacedAt", projection_type = "INCLUDE", non_key_attributes = ["Status", "Quantity"] },
    ]
    billing_mode           = "PAY_PER_REQUEST"
    read_capacity          = 0
    write_capacity         = 0
    autoscaling            = { enabled = false, min_capacity = 0, max_capacity = 0, target_utilization = 0 }
    point_in_time_recovery = true
    deletion_protection    = false
    cache                  = { reads = "dax", writes = "dynamodb", item_ttl_ms = 60000, query_ttl_ms = 120000 }
    dax                    = { node_type = "dax.r5.large", nodes = 1, tls = true }
    dynamodb_actions       = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"]
    dax_actions            = ["dax:GetItem", "dax:Query"]
    api_routes             = ["GET /orders/{id}/lines", "POST /orders/{id}/lines"]
  }
}
