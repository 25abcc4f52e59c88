output "cluster_name" {
  description = "Name (ID) of the cluster: the ClusterId dimension of its CloudWatch metrics."
  value       = aws_dax_cluster.this.cluster_name
}

output "cluster_arn" {
  description = "ARN of the cluster (the IAM resource for dax:* actions)."
  value       = aws_dax_cluster.this.arn
}

output "cluster_address" {
  description = "DNS name of the cluster discovery endpoint."
  value       = aws_dax_cluster.this.cluster_address
}

output "port" {
  description = "Port clients connect to: 9111 with TLS, 8111 without."
  value       = local.port
}

output "endpoint_url" {
  description = "Cluster endpoint as DAX clients take it: daxs://host:9111 (TLS) or dax://host:8111; the Lambda's DAX_ENDPOINT."
  value       = "${local.scheme}://${aws_dax_cluster.this.cluster_address}:${local.port}"
}

output "security_group_id" {
  description = "Security group of the cluster."
  value       = aws_security_group.this.id
}

output "parameter_group_name" {
  description = "Parameter group holding the item and query cache TTLs."
  value       = aws_dax_parameter_group.this.name
}

output "role_arn" {
  description = "Service role DAX uses to reach DynamoDB."
  value       = aws_iam_role.this.arn
}

output "nodes" {
  description = "Number of nodes (replication factor) of the cluster."
  value       = aws_dax_cluster.this.replication_factor
}

output "node_type" {
  description = "Node type of the cluster."
  value       = aws_dax_cluster.this.node_type
}

output "tls" {
  description = "Whether clients must use TLS (cluster_endpoint_encryption_type TLS)."
  value       = aws_dax_cluster.this.cluster_endpoint_encryption_type == "TLS"
}

output "encryption_at_rest" {
  description = "Whether the nodes encrypt their data at rest."
  value       = one(aws_dax_cluster.this.server_side_encryption).enabled
}

output "item_ttl_ms" {
  description = "Item cache TTL (record-ttl-millis) in the parameter group."
  value       = tonumber(one([for p in aws_dax_parameter_group.this.parameters : p.value if p.name == "record-ttl-millis"]))
}

output "query_ttl_ms" {
  description = "Query cache TTL (query-ttl-millis) in the parameter group."
  value       = tonumber(one([for p in aws_dax_parameter_group.this.parameters : p.value if p.name == "query-ttl-millis"]))
}
