output "vpc_id" {
  description = "ID of the VPC."
  value       = aws_vpc.this.id
}

output "vpc_cidr_block" {
  description = "CIDR block of the VPC."
  value       = aws_vpc.this.cidr_block
}

output "public_subnet_ids" {
  description = "IDs of the public subnets, in the order of azs."
  value       = aws_subnet.public[*].id
}

output "private_subnet_ids" {
  description = "IDs of the private subnets, in the order of azs (for the Lambda and the DAX subnet group)."
  value       = aws_subnet.private[*].id
}

output "private_route_table_ids" {
  description = "IDs of the private route tables."
  value       = aws_route_table.private[*].id
}

output "nat_gateway_ids" {
  description = "IDs of the NAT gateways."
  value       = aws_nat_gateway.this[*].id
}

output "nat_public_ips" {
  description = "Public IPs of the NAT gateways (the source address of outbound traffic)."
  value       = aws_eip.nat[*].public_ip
}

output "dynamodb_endpoint_id" {
  description = "ID of the DynamoDB gateway endpoint; null when disabled."
  value       = try(aws_vpc_endpoint.dynamodb[0].id, null)
}

output "dynamodb_prefix_list_id" {
  description = "Prefix list of DynamoDB's public ranges in this region (for security group egress rules); null when the endpoint is disabled."
  value       = try(aws_vpc_endpoint.dynamodb[0].prefix_list_id, null)
}

output "nat_gateway_count" {
  description = "Number of NAT gateways."
  value       = length(aws_nat_gateway.this)
}
